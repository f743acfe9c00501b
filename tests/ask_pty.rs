//! End-to-end tests of `rtadvisor ask` through a pseudo-terminal (expectrl), plus the
//! no-terminal refusal. The interview is adaptive, so the driver answers whichever
//! question is on screen (recognised by its help line) from a per-scenario script.

#[cfg(unix)]
mod pty {
    use expectrl::process::unix::WaitStatus;
    use expectrl::session::OsSession as Session;
    use expectrl::{Eof, Expect, Regex};
    use std::process::Command;
    use std::thread::sleep;
    use std::time::Duration;

    #[derive(Clone, Copy)]
    enum Kind {
        Text,
        Select,
        Multi,
        /// y/N
        Confirm,
    }

    /// Shift-Tab: back to the previous question.
    const BACK: &str = "\x1b[Z";

    /// Every question: field, a unique snippet of its help line, how it is answered.
    const QUESTIONS: &[(&str, &str, Kind)] = &[
        ("name", "Free text, e.g.", Kind::Text),
        (
            "direction",
            "Pick the closest; the first word",
            Kind::Select,
        ),
        (
            "client_messages_per_minute",
            "Averaged over a session",
            Kind::Text,
        ),
        ("round_trip_ms", "must come back as a result", Kind::Text),
        ("max_delay_s", "The staleness budget", Kind::Text),
        (
            "update_interval_s",
            "The typical gap between new pieces",
            Kind::Text,
        ),
        (
            "job_duration_s",
            "For features that start a job",
            Kind::Text,
        ),
        ("user_waits", "they start it and move on", Kind::Select),
        ("presence", "Presence lists, typing", Kind::Select),
        ("needs", "Tick each line that applies", Kind::Multi),
        (
            "runtime",
            "container = a long-running process",
            Kind::Select,
        ),
        ("path", "Proxies, CDNs, load balancers", Kind::Multi),
        ("path.inline", "Gear the list does not have", Kind::Text),
        (
            "path.inline.more",
            "Any more gear the list does not have",
            Kind::Text,
        ),
        ("path.inline.idle_timeout_s", "Its idle timeout", Kind::Text),
        ("path.inline.buffers", "A buffering hop holds", Kind::Select),
        (
            "path.inline.websocket",
            "handshake must get through it",
            Kind::Select,
        ),
        (
            "path.inline.http2",
            "browsers allow six connections",
            Kind::Select,
        ),
        ("payload", "JSON counts as text", Kind::Select),
        (
            "locked_down_networks",
            "Enterprise customers, banks",
            Kind::Select,
        ),
        ("clients", "Pick every kind that opens", Kind::Multi),
        ("auth", "cookie = browser session", Kind::Select),
        (
            "resume",
            "a dropped connection must not lose updates",
            Kind::Select,
        ),
        (
            "hidden_tab_delivery",
            "Browsers throttle hidden tabs",
            Kind::Select,
        ),
        (
            "concurrent_clients",
            "Across all users and tabs",
            Kind::Text,
        ),
        ("streams_per_client", "Usually 1; dashboards", Kind::Text),
        ("http2", "Check your CDN and load balancer", Kind::Select),
        // The questions for the fields issue 11 added.
        ("replies", "Yes for bids, device commands", Kind::Select),
        ("subscriptions", "fixed = one stream per page", Kind::Select),
        ("audience", "broadcast = same for all", Kind::Select),
        (
            "receives_webhooks",
            "Yes if each client backend exposes",
            Kind::Select,
        ),
        ("message_bytes", "Used for the bandwidth figure", Kind::Text),
        (
            "current_transport",
            "Answer to get a fit audit",
            Kind::Select,
        ),
        ("refine", "Refine the add-ons", Kind::Confirm),
        ("overwrite", "exists. Overwrite it?", Kind::Confirm),
    ];

    const TIMEOUT: Duration = Duration::from_secs(20);

    fn kind_of(field: &str) -> Kind {
        QUESTIONS
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|q| q.2)
            .unwrap_or(Kind::Text)
    }

    fn spawn(args: &[&str], dir: &std::path::Path) -> Session {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rtadvisor"));
        cmd.args(args)
            .current_dir(dir)
            .env("TERM", "xterm")
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE");
        let mut s = Session::spawn(cmd).expect("spawn rtadvisor in a pty");
        s.set_expect_timeout(Some(TIMEOUT));
        s
    }

    fn send(s: &mut Session, keys: &str) {
        s.send(keys).expect("send keys");
        sleep(Duration::from_millis(60));
    }

    /// Types an answer the way a user would for this kind of prompt.
    fn answer(s: &mut Session, field: &str, value: Option<&str>) {
        match (kind_of(field), value) {
            (_, Some(BACK)) => send(s, BACK),
            (Kind::Confirm, v) => send(s, v.unwrap_or("\r")),
            (Kind::Text, Some(v)) => send(s, &format!("{v}\r")),
            (Kind::Text, None) => send(s, "\r"),
            // Typing filters the list; Enter picks the first match.
            (Kind::Select, Some(v)) => {
                send(s, v);
                send(s, "\r");
            }
            // Enter alone is "don't know".
            (Kind::Select, None) => send(s, "\r"),
            (Kind::Multi, v) => {
                for item in v.map_or(vec!["don't"], |v| v.split(',').collect()) {
                    send(s, item);
                    send(s, " ");
                    // Clear the filter before the next item.
                    for _ in 0..item.len() {
                        send(s, "\x7f");
                    }
                }
                send(s, "\r");
            }
        }
    }

    /// Answers whatever is asked from `script` ("don't know" for the rest) until the
    /// report; returns the output, the fields asked, and the exit code. A field may
    /// be scripted more than once: each time it is asked takes the next entry, and
    /// [`BACK`] goes back to the question before it.
    fn interview(
        args: &[&str],
        dir: &std::path::Path,
        script: &[(&str, &str)],
    ) -> (String, Vec<String>, i32) {
        let mut script: Vec<(&str, &str)> = script.to_vec();
        let mut s = spawn(args, dir);
        let helps: Vec<String> = QUESTIONS.iter().map(|q| regex_escape(q.1)).collect();
        let pattern = format!("{}|Asked \\d+ of \\d+ questions", helps.join("|"));
        let mut asked: Vec<String> = Vec::new();
        let mut out = String::new();
        loop {
            let m = match s.expect(Regex(pattern.as_str())) {
                Ok(m) => m,
                Err(e) => {
                    let mut buf = vec![0u8; 65536];
                    let n = s.try_read(&mut buf).unwrap_or(0);
                    panic!(
                        "waiting for a question: {e}\nasked so far: {asked:?}\n{out}\nPENDING {:?}",
                        String::from_utf8_lossy(&buf[..n])
                    )
                }
            };
            out.push_str(&String::from_utf8_lossy(m.as_bytes()));
            // One read may hold several hits: redraws of the question just answered,
            // then at most one new question (or the end).
            let hits: Vec<String> = m
                .matches()
                .map(|h| String::from_utf8_lossy(h).to_string())
                .collect();
            let mut finished = false;
            for hit in hits {
                if hit.starts_with("Asked ") {
                    // The overwrite question, if scripted, comes after the summary.
                    if script.iter().any(|(f, _)| *f == "overwrite") {
                        continue;
                    }
                    finished = true;
                    break;
                }
                let Some((field, _, _)) = QUESTIONS.iter().find(|q| hit.contains(q.1)) else {
                    panic!("unrecognised prompt {hit}");
                };
                if asked.iter().any(|a| a == field) {
                    continue;
                }
                asked.push(field.to_string());
                if *field == "overwrite" {
                    let v = script.iter().position(|(f, _)| *f == "overwrite");
                    let v = v.map(|i| script.remove(i).1);
                    answer(&mut s, field, v);
                    finished = true;
                    break;
                }
                let value = script
                    .iter()
                    .position(|(f, _)| f == field)
                    .map(|i| script.remove(i).1);
                answer(&mut s, field, value);
                if value == Some(BACK) {
                    // This question and the one before it are asked again.
                    asked.pop();
                    asked.pop();
                }
            }
            if finished {
                break;
            }
        }
        let rest = s.expect(Eof).expect("output until exit");
        out.push_str(&String::from_utf8_lossy(rest.as_bytes()));
        let code = exit_code(&s);
        (out, asked, code)
    }

    fn exit_code(s: &Session) -> i32 {
        match s.get_process().wait().expect("wait for rtadvisor") {
            WaitStatus::Exited(_, code) => code,
            other => panic!("rtadvisor did not exit normally: {other:?}"),
        }
    }

    fn regex_escape(s: &str) -> String {
        s.chars()
            .map(|c| {
                if "\\.+*?()|[]{}^$".contains(c) {
                    format!("\\{c}")
                } else {
                    c.to_string()
                }
            })
            .collect()
    }

    #[test]
    fn token_streaming_feature_gets_sse_and_saves_a_profile() {
        let dir = tempfile::tempdir().unwrap();
        let (out, asked, code) = interview(
            &["ask", "--save", "tokens.yaml"],
            dir.path(),
            &[
                ("name", "AI assistant answers"),
                // The option for a feed whose clients send now and then.
                ("direction", "clients also send"),
                ("client_messages_per_minute", "2"),
                ("max_delay_s", "0.5"),
                ("update_interval_s", "0.05"),
                ("runtime", "container"),
                ("path", "nginx"),
                ("path.inline", "our-f5"),
                ("path.inline.idle_timeout_s", "300"),
                ("path.inline.buffers", "yes"),
                ("path.inline.websocket", "no"),
                ("resume", "yes"),
                ("auth", "cookie"),
                ("refine", "y"),
            ],
        );
        assert_eq!(code, 0, "{out}");
        assert_eq!(&asked[..2], ["name", "direction"]);
        assert!(out.contains("→ sse"), "{out}");
        assert!(out.contains("skipped"), "{out}");
        let saved = std::fs::read_to_string(dir.path().join("tokens.yaml")).unwrap();
        assert!(
            saved.starts_with("# rtadvisor workload profile v1"),
            "{saved}"
        );
        assert!(saved.contains("direction: server-to-client"), "{saved}");
        // Gear the list does not have is saved inline after the known hops.
        assert!(saved.contains("path: [nginx, {name: our-f5, idle_timeout_s: 300, buffers: true, websocket: false}]"), "{saved}");
        assert!(out.contains("our-f5-buffering"), "{out}");
        // advise reads it unchanged and agrees.
        let advise = std::process::Command::new(env!("CARGO_BIN_EXE_rtadvisor"))
            .args(["advise", "tokens.yaml", "--format", "json"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(advise.status.success());
        let json: serde_json::Value = serde_json::from_slice(&advise.stdout).unwrap();
        assert_eq!(json["recommendation"]["transport"], "sse");
    }

    #[test]
    fn multiplayer_game_gets_websocket() {
        let dir = tempfile::tempdir().unwrap();
        let (out, asked, code) = interview(
            &["ask"],
            dir.path(),
            &[
                ("name", "Multiplayer arena"),
                ("direction", "bidirectional"),
                ("client_messages_per_minute", "600"),
                ("round_trip_ms", "50"),
                ("max_delay_s", "0.1"),
                ("update_interval_s", "0.05"),
                ("needs", "users see,messages are binary"),
                ("runtime", "container"),
                ("refine", "n"),
            ],
        );
        assert!(out.contains("Left unknown (not refined"), "{out}");
        assert_eq!(code, 0, "{out}");
        assert!(asked.contains(&"client_messages_per_minute".to_string()));
        assert!(out.contains("→ websocket"), "{out}");
        assert!(!dir.path().read_dir().unwrap().any(|_| true));
    }

    /// A comment thread's interview saved to `p.yaml`: its name, direction and
    /// latency answers, then `more`.
    fn comment_thread(dir: &std::path::Path, more: &[(&str, &str)]) -> (String, Vec<String>, i32) {
        let mut script = vec![
            ("name", "Comment thread"),
            ("direction", "bidirectional"),
            ("client_messages_per_minute", "0.5"),
            ("round_trip_ms", "3000"),
            ("max_delay_s", "5"),
            ("runtime", "container"),
        ];
        script.extend_from_slice(more);
        interview(&["ask", "--save", "p.yaml"], dir, &script)
    }

    #[test]
    fn dont_know_goes_alone_in_a_list_so_an_answer_ticked_after_it_counts() {
        // Ticking "don't know" and then a kind of client used to show both ticked
        // and answer "don't know", dropping the kind; now the answer unticks
        // "don't know", and what is shown ticked is what is saved.
        let dir = tempfile::tempdir().unwrap();
        let (out, asked, code) =
            comment_thread(dir.path(), &[("refine", "y"), ("clients", "don't,browser")]);
        assert_eq!(code, 0, "{out}");
        assert!(asked.contains(&"clients".to_string()), "{asked:?}");
        let saved = std::fs::read_to_string(dir.path().join("p.yaml")).unwrap();
        assert!(saved.contains("\nclients: [browser]"), "{saved}");
    }

    #[test]
    fn a_comment_thread_with_presence_ticks_it_in_one_list() {
        // What a two-way feature needs is one list: ticking presence (typed to
        // filter, Space) answers it, and the other lines are left unknown.
        let dir = tempfile::tempdir().unwrap();
        let (out, asked, code) =
            comment_thread(dir.path(), &[("needs", "users see"), ("refine", "n")]);
        assert_eq!(code, 0, "{out}");
        assert!(asked.contains(&"needs".to_string()), "{asked:?}");
        assert!(!asked.contains(&"presence".to_string()), "{asked:?}");
        assert!(
            out.contains(
                "7 answered by your answer to needs (presence, replies, locked_down_networks, payload, hidden_tab_delivery, audience, subscriptions)"
            ),
            "{out}"
        );
        let saved = std::fs::read_to_string(dir.path().join("p.yaml")).unwrap();
        assert!(saved.contains("\npresence: true"), "{saved}");
        assert!(saved.contains("# replies:"), "{saved}");
    }

    #[test]
    fn shell_keys_edit_answers_and_shift_tab_goes_back() {
        let dir = tempfile::tempdir().unwrap();
        // Ctrl-W, Ctrl-U, Ctrl-A, Ctrl-E, Alt-B, Alt-F edit the line: "every 10" is
        // wiped, then 5 becomes 15, then 150 (they used to insert letters).
        let edited = "every 10\x17\x155\x011\x050\x1bb\x1bf";
        let (out, asked, code) = interview(
            &["ask", "--save", "p.yaml"],
            dir.path(),
            &[
                ("name", "Stats tile"),
                ("direction", "server-to-client"),
                ("max_delay_s", edited),
                // Back from the next question: the budget is asked again, filled in
                // with 150; Ctrl-U clears it for 300.
                ("job_duration_s", BACK),
                ("update_interval_s", BACK),
                ("client_messages_per_minute", BACK),
                ("payload", BACK),
                ("max_delay_s", "\x15300"),
                ("refine", "n"),
            ],
        );
        assert_eq!(code, 0, "{out}");
        assert_eq!(
            asked.iter().filter(|a| *a == "max_delay_s").count(),
            1,
            "{asked:?}"
        );
        assert!(out.contains("(back)"), "{out}");
        let saved = std::fs::read_to_string(dir.path().join("p.yaml")).unwrap();
        assert!(saved.contains("max_delay_s: 300 "), "{saved}\n{out}");
        // "server-to-client" picks the first option, a feed whose clients only
        // listen: that one pick also answered the client messages and the job.
        assert!(saved.contains("direction: server-to-client"), "{saved}");
        assert!(saved.contains("client_messages_per_minute: 0 "), "{saved}");
        assert!(
            saved.contains("job_duration_s is left out: there is no job"),
            "{saved}"
        );
        assert!(
            !asked.contains(&"client_messages_per_minute".to_string()),
            "{asked:?}"
        );
        assert!(
            out.contains("answered by your answer to direction"),
            "{out}"
        );
        assert!(out.contains("→ polling"), "{out}");
    }

    #[test]
    fn enter_alone_on_a_yes_no_question_is_dont_know() {
        let dir = tempfile::tempdir().unwrap();
        // Every question but name and direction answered with Enter alone.
        let (out, asked, code) = interview(
            &["ask", "--save", "p.yaml"],
            dir.path(),
            &[
                ("name", "Mystery"),
                ("direction", "bidirectional"),
                ("refine", "y"),
            ],
        );
        assert_eq!(code, 0, "{out}");
        let yes_no = [
            "user_waits",
            "presence",
            "locked_down_networks",
            "resume",
            "hidden_tab_delivery",
            "http2",
            "replies",
            "receives_webhooks",
        ];
        assert!(
            asked.iter().any(|a| yes_no.contains(&a.as_str())),
            "{asked:?}"
        );
        let saved = std::fs::read_to_string(dir.path().join("p.yaml")).unwrap();
        for f in yes_no {
            assert!(
                !saved.contains(&format!("\n{f}: ")),
                "{f} answered:\n{saved}"
            );
        }
        assert!(out.contains("Left unknown (don't know)"), "{out}");
    }

    #[test]
    fn declining_to_overwrite_keeps_the_file_and_does_not_name_it_as_the_source() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.yaml"), "keep me").unwrap();
        let (out, _, code) = interview(
            &["ask", "--save", "p.yaml", "--format", "json"],
            dir.path(),
            &[
                ("name", "Stats tile"),
                ("direction", "server-to-client"),
                ("max_delay_s", "300"),
                ("refine", "n"),
                ("overwrite", "n"),
            ],
        );
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("\"source\": \"rtadvisor ask\""), "{out}");
        assert!(!out.contains("\"source\": \"p.yaml\""), "{out}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("p.yaml")).unwrap(),
            "keep me"
        );
    }

    #[test]
    fn ctrl_c_exits_130_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = spawn(&["ask", "--save", "p.yaml"], dir.path());
        s.expect("Free text, e.g.").expect("the name question");
        send(&mut s, "Half done\r");
        s.expect("Pick the closest; the first word")
            .expect("the direction question");
        send(&mut s, "\x03");
        let _ = s.expect(Eof);
        assert_eq!(exit_code(&s), 130);
        assert!(!dir.path().join("p.yaml").exists());
    }

    #[test]
    fn esc_exits_130_too() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = spawn(&["ask", "--save", "p.yaml"], dir.path());
        s.expect("Free text, e.g.").expect("the name question");
        send(&mut s, "\x1b");
        let _ = s.expect(Eof);
        assert_eq!(exit_code(&s), 130);
        assert!(!dir.path().join("p.yaml").exists());
    }
}

#[test]
fn without_a_terminal_ask_refuses_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rtadvisor"));
    cmd.args(["ask", "--save", "p.yaml"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null());
    let out = assert_cmd::Command::from_std(cmd)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(err.contains("rtadvisor advise FILE"), "{err}");
    assert!(err.contains("rtadvisor init"), "{err}");
    assert!(!dir.path().join("p.yaml").exists());
}
