//! Output in a terminal: prose wraps to the width at spaces, a terminal that
//! reports 0 columns does not collapse the matrix, and --color decides colour.

use assert_cmd::Command;

fn rt() -> Command {
    let mut c = Command::cargo_bin("rtadvisor").unwrap();
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

#[test]
fn prose_wraps_to_the_width_at_word_boundaries() {
    let out = rt()
        .env("COLUMNS", "60")
        .args(["advise", "fixtures/poker-table.yaml", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text
        .lines()
        .filter(|l| !l.starts_with(['│', '┌', '└', '╞', '├']))
    {
        assert!(line.chars().count() <= 60, "too wide: {line:?}");
    }
    // Wrapped, not cut: every word of a long reason is still whole somewhere.
    assert!(text.contains("moment each client comes and goes"), "{text}");
    // Without a width (a pipe), lines are left long.
    let piped = rt()
        .env_remove("COLUMNS")
        .args(["advise", "fixtures/poker-table.yaml"])
        .output()
        .unwrap();
    let piped = String::from_utf8(piped.stdout).unwrap();
    assert!(piped.lines().any(|l| l.chars().count() > 100));
}

#[cfg(unix)]
#[test]
fn a_terminal_of_zero_columns_keeps_every_table_readable() {
    use expectrl::session::OsSession as Session;
    use expectrl::Expect;
    for args in [
        &["matrix"][..],
        &["rules", "list"],
        &["rules", "vars"],
        &["platforms"],
    ] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rtadvisor"));
        cmd.args(args).env("TERM", "xterm").env_remove("COLUMNS");
        let mut s = Session::spawn(cmd).unwrap();
        // A terminal that reports 0 x 0, as a new pty does until someone sets it.
        s.get_process_mut().set_window_size(0, 0).unwrap();
        s.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
        let mut out = Vec::new();
        let _ = std::io::Read::read_to_end(&mut s, &mut out);
        let text = String::from_utf8_lossy(&out);
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(widest > 60, "{args:?}: the table collapsed:\n{text}");
        let _ = s.expect(expectrl::Eof);
    }
}

#[test]
fn color_always_never_and_auto() {
    let always = rt()
        .args(["advise", "fixtures/poker-table.yaml", "--color", "always"])
        .output()
        .unwrap();
    assert!(
        always.stdout.contains(&0x1b),
        "--color always colours a pipe"
    );
    let never = rt()
        .env("CLICOLOR_FORCE", "1")
        .args(["--color", "never", "advise", "fixtures/poker-table.yaml"])
        .output()
        .unwrap();
    assert!(
        !never.stdout.contains(&0x1b),
        "--color never wins over CLICOLOR_FORCE"
    );
    let auto = rt()
        .env("CLICOLOR_FORCE", "1")
        .args(["advise", "fixtures/poker-table.yaml"])
        .output()
        .unwrap();
    assert!(auto.stdout.contains(&0x1b), "auto honours CLICOLOR_FORCE");
    let no_color = rt()
        .env("NO_COLOR", "1")
        .args(["advise", "fixtures/poker-table.yaml"])
        .output()
        .unwrap();
    assert!(!no_color.stdout.contains(&0x1b), "auto honours NO_COLOR");
    // Errors on stderr follow the same choice.
    let err = rt()
        .args(["--color", "always", "advise", "no-such.yaml"])
        .output()
        .unwrap();
    assert!(err.stderr.contains(&0x1b));
}
