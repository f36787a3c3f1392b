//! Property tests: the solve on random block-triangular systems with small
//! loops, and the matrix files (round trip, row/column of bad input).

use egret_lca::files::{read_technosphere, write_technosphere};
use egret_lca::{Lca, LcaOptions, Ordering, ProductSystem, SystemData, TechExchange, Uncertainty};
use proptest::prelude::*;

/// A random well-conditioned system: process j takes inputs from lower
/// indices, some groups of 2–4 consecutive processes form loops, every
/// column's inputs add up to less than 80 % of its production; listed in a
/// random order.
fn system_strategy() -> impl Strategy<Value = (SystemData, Vec<(String, f64)>)> {
    (2usize..60, any::<u64>()).prop_map(|(n, seed)| {
        use rand::{Rng, SeedableRng, seq::SliceRandom};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut inputs: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (j, inp) in inputs.iter_mut().enumerate().skip(1) {
            for _ in 0..rng.random_range(0..=4usize.min(j)) {
                let k = rng.random_range(0..j);
                if !inp.contains(&k) {
                    inp.push(k);
                }
            }
        }
        // Loops: the first of a group also uses the last.
        let mut j = 0;
        while j + 2 < n {
            let size = rng.random_range(2..=4usize).min(n - j);
            if rng.random::<f64>() < 0.3 {
                let last = j + size - 1;
                if !inputs[j].contains(&last) {
                    inputs[j].push(last);
                }
                if !inputs[last].contains(&(last - 1)) {
                    inputs[last].push(last - 1);
                }
            }
            j += size;
        }
        let mut tech = Vec::new();
        for (j, inp) in inputs.iter().enumerate() {
            let production = rng.random_range(0.5..2.0);
            tech.push(TechExchange {
                product: format!("product {j}"),
                process: format!("process {j}"),
                amount: production,
                uncertainty: Uncertainty::None,
            });
            let raw: Vec<f64> = inp.iter().map(|_| rng.random_range(0.01..1.0)).collect();
            let total: f64 = raw.iter().sum();
            let share = rng.random_range(0.1..0.8) * production;
            for (&k, r) in inp.iter().zip(&raw) {
                tech.push(TechExchange {
                    product: format!("product {k}"),
                    process: format!("process {j}"),
                    amount: -r / total * share,
                    uncertainty: Uncertainty::None,
                });
            }
        }
        tech.shuffle(&mut rng);
        let demand = (0..rng.random_range(1..=3usize))
            .map(|_| {
                (
                    format!("product {}", rng.random_range(0..n)),
                    rng.random_range(-5.0..10.0),
                )
            })
            .collect();
        (
            SystemData {
                technosphere: tech,
                ..Default::default()
            },
            demand,
        )
    })
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e6f64..1e6,
        (-300i32..300, -9.0f64..9.0).prop_map(|(e, m)| m * 10f64.powi(e)),
        Just(0.0),
    ]
}

fn uncertainty(amount: f64) -> impl Strategy<Value = Uncertainty> {
    // Widths relative to the amount, so that min < max survives rounding.
    let m = amount.abs().max(1.0);
    let lognormal = (0.01f64..2.0).prop_map(move |s| {
        if amount == 0.0 {
            Uncertainty::None
        } else {
            Uncertainty::lognormal_around(amount, s)
        }
    });
    prop_oneof![
        Just(Uncertainty::None),
        lognormal,
        (finite(), 0.001f64..10.0).prop_map(|(loc, scale)| Uncertainty::Normal { loc, scale }),
        (0.0f64..1.0, 0.001f64..5.0).prop_map(move |(w, width)| Uncertainty::Triangular {
            min: amount - m * width * w,
            mode: amount,
            max: amount + m * width * (1.0 - w + 0.01),
        }),
        (0.001f64..5.0).prop_map(move |w| Uncertainty::Uniform {
            min: amount - m * w,
            max: amount + m * w,
        }),
    ]
}

fn id() -> impl Strategy<Value = String> {
    // Free text, quotes and commas included; no surrounding spaces (they
    // are trimmed) and never empty.
    "[a-zA-Z0-9电]([a-zA-Z0-9_,\"'.;é电 -]{0,10}[a-zA-Z0-9电])?"
}

fn exchange() -> impl Strategy<Value = TechExchange> {
    (id(), id(), finite()).prop_flat_map(|(product, process, amount)| {
        uncertainty(amount).prop_map(move |u| TechExchange {
            product: product.clone(),
            process: process.clone(),
            amount,
            uncertainty: u,
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn solutions_have_tiny_residuals((data, demand) in system_strategy()) {
        for ordering in [Ordering::BlockTriangular, Ordering::Colamd, Ordering::Supernodal] {
            let sys = ProductSystem::build(data.clone()).unwrap();
            let lca = Lca::new(sys, LcaOptions { ordering }).unwrap();
            let r = lca.solve(&demand).unwrap();
            let res = lca.residual(&r);
            prop_assert!(res < 1e-13, "{:?}: residual {}", ordering, res);
        }
    }

    #[test]
    fn technosphere_files_round_trip(rows in prop::collection::vec(exchange(), 0..30)) {
        let mut buf = Vec::new();
        write_technosphere(&mut buf, &rows).unwrap();
        let back = read_technosphere("A.csv", buf.as_slice()).unwrap();
        prop_assert_eq!(back, rows);
    }

    #[test]
    fn bad_numbers_are_located(
        rows in prop::collection::vec(exchange(), 1..20),
        pick in any::<prop::sample::Index>(),
        junk in "[a-z]{1,5}",
    ) {
        let mut buf = Vec::new();
        write_technosphere(&mut buf, &rows).unwrap();
        let mut text = String::from_utf8(buf).unwrap();
        // Replace the amount of one row with junk, re-writing via csv.
        let r = pick.index(rows.len());
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let headers = rdr.headers().unwrap().clone();
        let records: Vec<csv::StringRecord> = rdr.records().map(|x| x.unwrap()).collect();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&headers).unwrap();
        for (i, rec) in records.iter().enumerate() {
            let mut fields: Vec<String> = rec.iter().map(String::from).collect();
            if i == r {
                fields[2] = junk.clone();
            }
            w.write_record(&fields).unwrap();
        }
        text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let e = read_technosphere("A.csv", text.as_bytes()).unwrap_err().to_string();
        let line = r + 2;
        let prefix = format!("A.csv row {line}, column amount: '{junk}' is not a");
        prop_assert!(e.starts_with(&prefix), "{} vs {}", e, prefix);
    }
}
