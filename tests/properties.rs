//! Engine invariants over generated profiles (proptest).

use proptest::prelude::*;
use proptest::sample::select;
use rtadvisor::engine::{Decision, Engine};
use rtadvisor::profile::*;
use rtadvisor::report;
use rtadvisor::rules::Knowledge;
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn knowledge() -> &'static Knowledge {
    static K: OnceLock<Knowledge> = OnceLock::new();
    K.get_or_init(|| Knowledge::embedded().unwrap())
}

/// Numbers near the rules' thresholds as well as anywhere in range.
fn positive() -> impl Strategy<Value = f64> {
    prop_oneof![
        select(vec![
            0.03, 0.5, 0.9, 1.0, 5.0, 6.0, 10.0, 15.0, 29.0, 30.0, 31.0, 59.0, 60.0, 61.0, 99.0,
            100.0, 120.0, 121.0, 199.0, 200.0, 600.0, 1000.0, 3600.0, 10000.0
        ]),
        0.01f64..20000.0,
    ]
}

fn inline_hop() -> impl Strategy<Value = Hop> {
    (
        "[a-z][a-z0-9-]{0,8}",
        proptest::option::of(positive()),
        proptest::option::of(positive()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(name, idle, life, buffers, websocket, sse, http2)| {
            Hop::Inline(InlineHop {
                name,
                idle_timeout_s: idle,
                lifetime_s: life,
                buffers,
                websocket,
                sse,
                http2,
            })
        })
}

fn profile() -> impl Strategy<Value = Profile> {
    let k = knowledge();
    let runtimes: Vec<String> = k.runtimes.iter().map(|r| r.id.to_string()).collect();
    let hops: Vec<String> = k.hops.iter().map(|h| h.id.to_string()).collect();
    let hop = prop_oneof![4 => select(hops).prop_map(Hop::Known), 1 => inline_hop()];
    let a = (
        select(vec![
            Direction::ServerToClient,
            Direction::ClientToServer,
            Direction::Bidirectional,
        ]),
        proptest::option::of(prop_oneof![Just(0.0), positive()]),
        proptest::option::of(select(vec![Payload::Text, Payload::Binary])),
        proptest::option::of(positive()),
        proptest::option::of(positive()),
        proptest::option::of(positive()),
        proptest::option::of(select(runtimes)),
        proptest::option::of(proptest::collection::vec(hop, 0..4)),
    );
    let b = (
        proptest::option::of(any::<bool>()),
        proptest::option::of(select(vec![
            Auth::Cookie,
            Auth::BearerToken,
            Auth::QueryToken,
            Auth::None,
        ])),
        proptest::option::of(proptest::collection::vec(
            select(vec![
                Client::Browser,
                Client::Mobile,
                Client::Server,
                Client::Iot,
            ]),
            1..3,
        )),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(0u64..50000),
        proptest::option::of(1u64..10),
        proptest::option::of(positive()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(select(vec![
            CurrentTransport::Sse,
            CurrentTransport::Websocket,
            CurrentTransport::Polling,
            CurrentTransport::LongPolling,
            CurrentTransport::Queue,
        ])),
    );
    (a, b).prop_map(
        |(
            (direction, cmpm, payload, rtt, upd, delay, runtime, path),
            (
                http2,
                auth,
                clients,
                locked,
                presence,
                hidden,
                resume,
                conc,
                streams,
                job,
                waits,
                current,
            ),
        )| {
            let mut p = Profile::new("generated", direction);
            p.client_messages_per_minute = cmpm;
            p.payload = payload;
            p.round_trip_ms = rtt;
            p.update_interval_s = upd;
            p.max_delay_s = delay;
            p.runtime = runtime;
            p.path = path;
            p.http2 = http2;
            p.auth = auth;
            p.clients = clients;
            p.locked_down_networks = locked;
            p.presence = presence;
            p.hidden_tab_delivery = hidden;
            p.resume = resume;
            p.concurrent_clients = conc;
            p.streams_per_client = streams;
            p.job_duration_s = job;
            p.user_waits = waits;
            p.current_transport = current;
            p
        },
    )
}

/// Profiles that often end up on WebSockets (two-way, answered send rate and round trip),
/// so the monotonicity properties see many of them.
fn socket_shaped() -> impl Strategy<Value = Profile> {
    (profile(), 0.0f64..400.0, 10.0f64..3000.0, any::<bool>()).prop_map(
        |(mut p, cmpm, rtt, presence)| {
            p.direction = Direction::Bidirectional;
            p.client_messages_per_minute = Some(cmpm);
            p.round_trip_ms = Some(rtt);
            p.presence = Some(presence);
            p
        },
    )
}

fn decide(p: &Profile) -> Decision<'static> {
    Engine::new(knowledge()).decide(p, "generated")
}

fn summary(
    d: &Decision,
) -> (
    String,
    String,
    BTreeSet<String>,
    BTreeSet<String>,
    BTreeSet<String>,
    Vec<String>,
) {
    (
        d.recommendation.label().to_string(),
        d.recommendation.confidence.as_str().to_string(),
        d.recommendation
            .add_ons
            .iter()
            .map(|a| a.to_string())
            .collect(),
        d.gotchas.iter().map(|g| g.id.clone()).collect(),
        d.flips
            .iter()
            .map(|f| format!("{}={}->{}", f.field, f.to, f.transport))
            .collect(),
        d.unknowns.iter().map(|u| u.to_string()).collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_same_profile_gives_the_same_bytes(p in profile()) {
        let a = decide(&p);
        let k = Knowledge::embedded().unwrap();
        let b = Engine::new(&k).decide(&p, "generated");
        prop_assert_eq!(report::json::render(std::slice::from_ref(&a)), report::json::render(std::slice::from_ref(&b)));
        prop_assert_eq!(report::table::render(std::slice::from_ref(&a)), report::table::render(std::slice::from_ref(&b)));
    }

    #[test]
    fn rule_order_does_not_change_decisions(p in profile(), seed in any::<u64>()) {
        let mut k = knowledge().clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..k.rules.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            k.rules.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let shuffled = Engine::new(&k).decide(&p, "generated");
        prop_assert_eq!(summary(&decide(&p)), summary(&shuffled));
    }

    #[test]
    fn more_client_messages_never_move_the_answer_away_from_websocket(p in socket_shaped(), more in 1.0f64..500.0) {
        let d = decide(&p);
        prop_assume!(d.recommendation.label() == "websocket" && p.client_messages_per_minute.is_some());
        let mut q = p.clone();
        q.client_messages_per_minute = Some(p.client_messages_per_minute.unwrap_or(0.0) + more);
        prop_assert_eq!(decide(&q).recommendation.label().to_string(), "websocket");
    }

    #[test]
    fn a_tighter_round_trip_never_moves_the_answer_away_from_websocket(p in socket_shaped(), factor in 0.01f64..1.0) {
        let d = decide(&p);
        prop_assume!(d.recommendation.label() == "websocket" && p.round_trip_ms.is_some());
        let mut q = p.clone();
        q.round_trip_ms = p.round_trip_ms.map(|r| (r * factor).max(0.001));
        prop_assert_eq!(decide(&q).recommendation.label().to_string(), "websocket");
    }

    #[test]
    fn every_decision_has_a_rationale(p in profile()) {
        prop_assert!(!decide(&p).rationale.is_empty());
    }

    #[test]
    fn every_flip_reported_really_flips_the_answer(p in profile()) {
        let d = decide(&p);
        for f in &d.flips {
            let mut v = serde_json::to_value(&p).unwrap();
            v[&f.field] = f.to.clone();
            let q: Profile = serde_json::from_value(v).unwrap();
            prop_assert_eq!(&decide(&q).recommendation.label().to_string(), &f.transport, "flip {:?}", f);
        }
    }

    #[test]
    fn explain_contributions_add_up_to_the_scores(p in profile()) {
        let d = Engine::new(knowledge()).explain(&p, "generated");
        for rank in &d.ranking {
            let sum: i32 = d.evaluations.iter()
                .filter(|e| e.outcome == "true")
                .flat_map(|e| e.effects.iter())
                .filter(|x| x.transport == rank.transport)
                .map(|x| x.points)
                .sum();
            prop_assert_eq!(sum, rank.score, "{}", rank.transport);
            let vetoed = d.evaluations.iter().any(|e| e.outcome == "true" && e.vetoes.iter().any(|v| v == rank.transport));
            prop_assert_eq!(vetoed, rank.vetoed);
        }
    }

    #[test]
    fn heartbeats_sit_under_every_idle_timeout_on_the_path(p in profile()) {
        let d = decide(&p);
        if let Some(hb) = d.recommendation.heartbeat_s {
            for hop in p.path.iter().flatten() {
                let idle = match hop {
                    Hop::Known(id) => knowledge().hop(id).and_then(|h| h.idle_timeout.as_ref()).map(|t| t.seconds),
                    Hop::Inline(h) => h.idle_timeout_s,
                };
                if let Some(idle) = idle {
                    prop_assert!(hb > 0.0 && hb < idle, "heartbeat {hb} s vs idle timeout {idle} s");
                }
            }
        }
    }
}
