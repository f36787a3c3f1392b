//! The domain's product systems through the engine: models built with
//! `ProductSystemModel::matrices`, solved by `egret_lca::model::solve_matrices`
//! and checked against hand calculations.

use std::sync::Arc;

use egret_domain::product_system::{
    CO2E, CalcOptions, Calculation, EmissionKind, EmissionModel, InputModel, Matrices,
    ProcessModel, ProcessSource, ProductSystemModel, SolveFn, UncertaintySpec,
};
use egret_i18n::Lang;
use egret_lca::model::solve_matrices;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// AR6-like factors for the gases the tests use.
fn gwp(gas: &str) -> Option<Decimal> {
    match gas {
        "CO2" => Some(d("1")),
        "CH4-fossil" => Some(d("29.8")),
        "CH4" => Some(d("27")),
        _ => None,
    }
}

fn process(id: &str, product: &str, output: &str, source: ProcessSource) -> ProcessModel {
    ProcessModel {
        id: id.into(),
        name: id.into(),
        product: product.into(),
        unit: "kg".into(),
        output: d(output),
        source,
        inputs: vec![],
        emissions: vec![],
    }
}

fn input(product: &str, amount: &str) -> InputModel {
    InputModel {
        product: product.into(),
        amount: d(amount),
        uncertainty: None,
    }
}

fn emission(flow: &str, amount: &str, kind: EmissionKind) -> EmissionModel {
    EmissionModel {
        flow: flow.into(),
        amount: d(amount),
        kind,
        uncertainty: None,
    }
}

fn triangular(min: &str, max: &str) -> Option<UncertaintySpec> {
    Some(UncertaintySpec {
        distribution: "triangular".into(),
        scale: None,
        min: Some(d(min)),
        max: Some(d(max)),
    })
}

fn system(reference: &str, amount: &str, processes: Vec<ProcessModel>) -> ProductSystemModel {
    ProductSystemModel {
        name: "test".into(),
        reference_product: reference.into(),
        amount: d(amount),
        gwp_set: "AR6".into(),
        processes,
        flows: vec![],
    }
}

/// 1000 PET bottles: the enterprise's own blow moulding (0.02 kg PET resin
/// and 0.0001 MWh of grid electricity per bottle; 0.001 kg CO2 and
/// 0.00001 kg fossil CH4 per bottle), PET resin from a cited secondary
/// dataset (2.2 kg CO2e per kg), grid electricity from a library factor
/// (530.6 kg CO2 per MWh).
fn bottle() -> ProductSystemModel {
    let mut blow = process("blow", "bottle", "1", ProcessSource::Own);
    blow.unit = "piece".into();
    blow.inputs = vec![input("pet", "0.02"), input("grid", "0.0001")];
    blow.emissions = vec![
        emission("CO2", "0.001", EmissionKind::Fossil),
        emission("CH4-fossil", "0.00001", EmissionKind::Fossil),
    ];
    let mut pet = process(
        "pet",
        "pet",
        "1",
        ProcessSource::Secondary {
            citation: "PlasticsEurope eco-profile".into(),
        },
    );
    pet.emissions = vec![emission(CO2E, "2.2", EmissionKind::Fossil)];
    let mut grid = process(
        "grid",
        "grid",
        "1",
        ProcessSource::Factor {
            factor_id: "cn.grid.national.2023".into(),
            library_version: "2026.1".into(),
            document: "MEE/NBS".into(),
        },
    );
    grid.unit = "MWh".into();
    grid.emissions = vec![emission("CO2", "530.6", EmissionKind::Fossil)];
    system("bottle", "1000", vec![blow, pet, grid])
}

fn solve(s: &ProductSystemModel, o: &CalcOptions) -> Calculation {
    solve_matrices(&s.matrices(gwp).unwrap(), o).unwrap()
}

fn sum_direct(c: &Calculation) -> Decimal {
    c.processes.iter().map(|p| p.direct).sum()
}

fn sum_kinds(c: &Calculation) -> Decimal {
    c.by_kind.iter().map(|(_, v)| *v).sum()
}

fn share<'a>(c: &'a Calculation, id: &str) -> &'a egret_domain::product_system::ProcessShare {
    c.processes.iter().find(|p| p.process == id).unwrap()
}

#[test]
fn solve_matrices_is_the_domains_solve_fn() {
    let f: Arc<SolveFn> = Arc::new(solve_matrices);
    let m = bottle().matrices(gwp).unwrap();
    assert_eq!(f(&m, &CalcOptions::default()).unwrap().score, d("98.358"));
}

/// Scaling for 1000 bottles: blow 1000, pet 1000 × 0.02 = 20 kg,
/// grid 1000 × 0.0001 = 0.1 MWh.
/// Direct: blow 1000 × (0.001 × 1 + 0.00001 × 29.8) = 1 + 0.298 = 1.298;
/// pet 20 × 2.2 = 44; grid 0.1 × 530.6 = 53.06.
/// Score 1.298 + 44 + 53.06 = 98.358 kgCO2e, all fossil.
/// Flows: CO2 1000 × 0.001 + 0.1 × 530.6 = 54.06 kg; CO2e 44 kg;
/// CH4-fossil 1000 × 0.00001 = 0.01 kg, 0.298 kgCO2e.
/// Tree (cut-off 1 % = 0.98358): blow (1000, 98.358), then its inputs by
/// cumulative impact: grid (0.1, 53.06), pet (20, 44).
#[test]
fn bottle_matches_the_hand_calculation() {
    let c = solve(&bottle(), &CalcOptions::default());
    assert_eq!(c.score, d("98.358"));
    assert_eq!(c.by_kind, vec![(EmissionKind::Fossil, d("98.358"))]);
    assert_eq!(sum_kinds(&c), c.score);
    assert_eq!(sum_direct(&c), c.score);
    let procs: Vec<(&str, Decimal, Decimal)> = c
        .processes
        .iter()
        .map(|p| (p.process.as_str(), p.scaling, p.direct))
        .collect();
    assert_eq!(
        procs,
        vec![
            ("grid", d("0.1"), d("53.06")),
            ("pet", d("20"), d("44")),
            ("blow", d("1000"), d("1.298")),
        ]
    );
    let flows: Vec<(&str, EmissionKind, Decimal, Decimal)> = c
        .flows
        .iter()
        .map(|f| (f.flow.as_str(), f.kind, f.amount, f.impact))
        .collect();
    assert_eq!(
        flows,
        vec![
            ("CO2", EmissionKind::Fossil, d("54.06"), d("54.06")),
            ("CO2e", EmissionKind::Fossil, d("44"), d("44")),
            ("CH4-fossil", EmissionKind::Fossil, d("0.01"), d("0.298")),
        ]
    );
    let tree: Vec<(u32, &str, Decimal, Decimal, bool)> = c
        .tree
        .iter()
        .map(|n| {
            (
                n.depth,
                n.process.as_str(),
                n.amount,
                n.cumulative,
                n.loop_back,
            )
        })
        .collect();
    assert_eq!(
        tree,
        vec![
            (0, "blow", d("1000"), d("98.358"), false),
            (1, "grid", d("0.1"), d("53.06"), false),
            (1, "pet", d("20"), d("44"), false),
        ]
    );
    assert!(c.mc.is_none());
    assert!(c.engine.starts_with("egret-lca "), "{}", c.engine);
    // Own emissions (1.298) and the grid electricity the own process
    // meters (53.06) are primary: 54.358 / 98.358.
    assert_eq!(c.primary_share(&bottle()), Some(d("55.27")));
}

#[test]
fn a_high_cutoff_keeps_only_the_root() {
    let c = solve(
        &bottle(),
        &CalcOptions {
            cutoff: d("0.5"),
            ..CalcOptions::default()
        },
    );
    // 53.06 / 98.358 ≈ 54 % stays, pet's 44 / 98.358 ≈ 45 % goes.
    let ids: Vec<&str> = c.tree.iter().map(|n| n.process.as_str()).collect();
    assert_eq!(ids, ["blow", "grid"]);
}

/// Two processes supplying each other:
///
/// ```text
///        P     Q
///   p    1   -0.4
///   q  -0.5    1
/// ```
///
/// P emits 2 kg CO2 per run, Q 8 kg. For 1 p: s_P − 0.4 s_Q = 1 and
/// s_Q = 0.5 s_P, so 0.8 s_P = 1: s_P = 1.25, s_Q = 0.625.
/// Direct: P 2 × 1.25 = 2.5, Q 8 × 0.625 = 5; score 7.5.
/// Per unit of q: s_Q − 0.5 s_P = 1, s_P = 0.4 s_Q: s_Q = 1.25, s_P = 0.5,
/// cumulative 2 × 0.5 + 8 × 1.25 = 11.
/// Tree: P (1 p, 7.5) → Q (0.5 q, 5.5) → P again (0.2 p, 1.5), a loop.
#[test]
fn a_loop_matches_the_hand_calculation() {
    let mut p = process("P", "p", "1", ProcessSource::Own);
    p.inputs = vec![input("q", "0.5")];
    p.emissions = vec![emission("CO2", "2", EmissionKind::Fossil)];
    let mut q = process("Q", "q", "1", ProcessSource::Own);
    q.inputs = vec![input("p", "0.4")];
    q.emissions = vec![emission("CO2", "8", EmissionKind::Fossil)];
    let c = solve(&system("p", "1", vec![p, q]), &CalcOptions::default());
    assert_eq!(c.score, d("7.5"));
    assert_eq!(sum_direct(&c), c.score);
    assert_eq!(
        (share(&c, "P").scaling, share(&c, "P").direct),
        (d("1.25"), d("2.5"))
    );
    assert_eq!(
        (share(&c, "Q").scaling, share(&c, "Q").direct),
        (d("0.625"), d("5"))
    );
    assert_eq!(c.processes[0].process, "Q");
    let tree: Vec<(u32, &str, Decimal, Decimal, bool)> = c
        .tree
        .iter()
        .map(|n| {
            (
                n.depth,
                n.process.as_str(),
                n.amount,
                n.cumulative,
                n.loop_back,
            )
        })
        .collect();
    assert_eq!(
        tree,
        vec![
            (0, "P", d("1"), d("7.5"), false),
            (1, "Q", d("0.5"), d("5.5"), false),
            (2, "P", d("0.2"), d("1.5"), true),
        ]
    );
}

/// A pallet (own: 10 kg wood, 0.5 kg fossil CO2) from wood that takes up
/// 1.6 kg CO2 per kg (uptake) and emits 0.2 kg fossil CO2 and 0.001 kg
/// biogenic CH4 (GWP 27) per kg.
/// Fossil 0.5 + 10 × 0.2 = 2.5; biogenic 10 × 0.001 × 27 = 0.27;
/// uptake 10 × −1.6 = −16. Score 2.5 + 0.27 − 16 = −13.23; excluding the
/// uptake 2.77.
#[test]
fn uptake_is_split_out_of_the_score() {
    let mut pallet = process("pallet", "pallet", "1", ProcessSource::Own);
    pallet.inputs = vec![input("wood", "10")];
    pallet.emissions = vec![emission("CO2", "0.5", EmissionKind::Fossil)];
    let mut wood = process(
        "wood",
        "wood",
        "1",
        ProcessSource::Secondary {
            citation: "sawmill EPD".into(),
        },
    );
    wood.emissions = vec![
        emission("CO2", "-1.6", EmissionKind::Uptake),
        emission("CO2", "0.2", EmissionKind::Fossil),
        emission("CH4", "0.001", EmissionKind::Biogenic),
    ];
    let c = solve(
        &system("pallet", "1", vec![pallet, wood]),
        &CalcOptions::default(),
    );
    assert_eq!(c.score, d("-13.23"));
    assert_eq!(
        c.by_kind,
        vec![
            (EmissionKind::Fossil, d("2.5")),
            (EmissionKind::Biogenic, d("0.27")),
            (EmissionKind::Uptake, d("-16")),
        ]
    );
    assert_eq!(c.excluding_uptake(), d("2.77"));
    assert_eq!(c.of_kind(EmissionKind::LandUse), Decimal::ZERO);
    assert_eq!(sum_kinds(&c), c.score);
    assert_eq!(sum_direct(&c), c.score);
    // Wood: 10 × (−1.6 + 0.2 + 0.027) = −13.73; pallet 0.5.
    assert_eq!(share(&c, "wood").direct, d("-13.73"));
    let co2: Vec<(EmissionKind, Decimal)> = c
        .flows
        .iter()
        .filter(|f| f.flow == "CO2")
        .map(|f| (f.kind, f.amount))
        .collect();
    assert_eq!(
        co2,
        vec![
            (EmissionKind::Uptake, d("-16")),
            (EmissionKind::Fossil, d("2.5"))
        ]
    );
}

/// A boiler that feeds part of its own steam back (0.2 of each unit): the
/// two entries of its diagonal cell add up to 0.8, so 1 unit of steam takes
/// 1.25 runs.
#[test]
fn duplicate_cells_are_summed() {
    let mut boiler = process("boiler", "steam", "1", ProcessSource::Own);
    boiler.inputs = vec![
        input("steam", "0.2"),
        input("gas", "0.1"),
        input("gas", "0.1"),
    ];
    boiler.emissions = vec![
        emission("CO2", "1", EmissionKind::Fossil),
        emission("CO2", "1", EmissionKind::Fossil),
    ];
    let mut gas = process("gas", "gas", "1", ProcessSource::Own);
    gas.emissions = vec![emission("CH4-fossil", "0.01", EmissionKind::Fossil)];
    let c = solve(
        &system("steam", "1", vec![boiler, gas]),
        &CalcOptions::default(),
    );
    // boiler 1.25 × 2 = 2.5; gas 1.25 × 0.2 = 0.25 runs × 0.298 = 0.0745.
    assert_eq!(share(&c, "boiler").scaling, d("1.25"));
    assert_eq!(share(&c, "gas").scaling, d("0.25"));
    assert_eq!(c.score, d("2.5745"));
}

fn assert_names(m: &Matrices, key: &str, process: &str, product: &str) {
    let e = solve_matrices(m, &CalcOptions::default()).unwrap_err();
    assert_eq!(e.msg.key, key, "{e:?}");
    assert_eq!(e.process.as_deref(), Some(process), "{e:?}");
    assert_eq!(e.product.as_deref(), Some(product), "{e:?}");
    for lang in Lang::ALL {
        let text = e.msg.render(lang);
        assert!(!text.starts_with('[') && !text.contains('{'), "{text}");
        assert!(text.contains(process) && text.contains(product), "{text}");
    }
}

#[test]
fn a_product_used_up_by_its_own_producer_is_named() {
    // The boiler makes 1 steam and feeds all of it back: its column of A
    // sums to zero.
    let mut boiler = process("boiler", "steam", "1", ProcessSource::Own);
    boiler.inputs = vec![input("steam", "1")];
    boiler.emissions = vec![emission("CO2", "1", EmissionKind::Fossil)];
    let m = system("steam", "1", vec![boiler]).matrices(gwp).unwrap();
    assert_names(&m, "lca-own-output-consumed", "boiler", "steam");
}

#[test]
fn a_loop_that_makes_nothing_net_is_singular() {
    // P and Q each need all the other makes: A = [[1, −1], [−1, 1]].
    let mut p = process("P", "p", "1", ProcessSource::Own);
    p.inputs = vec![input("q", "1")];
    let mut q = process("Q", "q", "1", ProcessSource::Own);
    q.inputs = vec![input("p", "1")];
    q.emissions = vec![emission("CO2", "1", EmissionKind::Fossil)];
    let m = system("p", "1", vec![p, q]).matrices(gwp).unwrap();
    let e = solve_matrices(&m, &CalcOptions::default()).unwrap_err();
    let named = (e.process.clone().unwrap(), e.product.clone().unwrap());
    assert!(
        named == ("P".into(), "p".into()) || named == ("Q".into(), "q".into()),
        "{e:?}"
    );
    assert_names(&m, "lca-singular", &named.0, &named.1);
}

#[test]
fn an_unknown_demand_is_named() {
    let mut m = bottle().matrices(gwp).unwrap();
    m.demand_product = "cap".into();
    let e = solve_matrices(&m, &CalcOptions::default()).unwrap_err();
    assert_eq!(e.msg.key, "lca-unknown-demand");
    assert_eq!((e.process, e.product.as_deref()), (None, Some("cap")));
    assert!(e.msg.render(Lang::ZhCn).contains("cap"));
}

#[test]
fn invalid_uncertainty_is_named() {
    let mut m = bottle().matrices(gwp).unwrap();
    let pet_in = m
        .technosphere
        .iter_mut()
        .find(|e| e.row == "pet" && e.col == "blow")
        .unwrap();
    pet_in.uncertainty = Some(UncertaintySpec {
        distribution: "normal".into(),
        scale: None,
        min: None,
        max: None,
    });
    let e = solve_matrices(&m, &CalcOptions::default()).unwrap_err();
    assert_eq!(e.msg.key, "lca-uncertainty");
    assert_eq!(
        (e.process.as_deref(), e.product.as_deref()),
        (Some("blow"), Some("pet"))
    );
    assert!(e.msg.render(Lang::En).contains("scale"));
}

fn bottle_with_pet_range(min: &str, max: &str) -> ProductSystemModel {
    let mut s = bottle();
    s.processes[0].inputs[0].uncertainty = triangular(min, max);
    s
}

fn mc(draws: u32, seed: u64) -> CalcOptions {
    CalcOptions {
        draws,
        seed,
        cutoff: Decimal::ZERO,
    }
}

#[test]
fn monte_carlo_repeats_with_its_seed() {
    let s = bottle_with_pet_range("0.018", "0.021");
    let a = solve(&s, &mc(300, 42)).mc.unwrap();
    let b = solve(&s, &mc(300, 42)).mc.unwrap();
    assert_eq!(a, b);
    assert_eq!((a.draws, a.seed), (300, 42));
    assert_eq!(a.hist_counts.len(), 20);
    assert_eq!(a.hist_counts.iter().sum::<u32>(), 300);
    let other = solve(&s, &mc(300, 43)).mc.unwrap();
    assert_ne!(a.mean, other.mean);
}

#[test]
fn monte_carlo_without_uncertainty_is_the_score() {
    let c = solve(&bottle(), &mc(50, 1));
    let m = c.mc.unwrap();
    assert_eq!(m.sd, Decimal::ZERO);
    assert_eq!(m.mean, c.score);
    assert_eq!((m.p2_5, m.p50, m.p97_5), (c.score, c.score, c.score));
    assert_eq!(
        (m.hist_start, m.hist_width, m.hist_counts),
        (c.score, Decimal::ZERO, vec![50])
    );
}

/// PET per bottle triangular on [0.018, 0.022] with mode 0.02: symmetric,
/// so the mean is the deterministic 98.358. The score's sd is
/// 1000 × 2.2 × 0.002 / √6 ≈ 1.80, so the mean of 1000 draws is within
/// about 0.06 of it (0.5 is more than 8 standard errors).
/// On [0.018, 0.021] the mean of the resin is (0.018 + 0.02 + 0.021) / 3,
/// 0.000333 kg below the mode: 1000 × 2.2 × 0.000333 ≈ 0.733 less.
#[test]
fn monte_carlo_with_triangular_uncertainty() {
    let c = solve(&bottle_with_pet_range("0.018", "0.022"), &mc(1000, 7));
    let m = c.mc.unwrap();
    assert!(m.p2_5 <= m.p50 && m.p50 <= m.p97_5, "{m:?}");
    assert!(m.p2_5 < c.score && c.score < m.p97_5, "{m:?}");
    assert!((m.mean - c.score).abs() < d("0.5"), "{m:?}");
    assert!((m.sd - d("1.796")).abs() < d("0.15"), "{m:?}");
    // Every draw lies within PET's range: 98.358 ± 4.4.
    assert!(m.hist_start >= d("93.958"));
    let skewed = solve(&bottle_with_pet_range("0.018", "0.021"), &mc(1000, 7))
        .mc
        .unwrap();
    assert!((skewed.mean - d("97.625")).abs() < d("0.3"), "{skewed:?}");
}

/// A random tree: process i > 0 supplies its parent (a lower index) with a
/// random amount; every process has a random output and a fossil emission
/// (some with a biogenic uptake). The exact score: each process's scaling
/// is its parent's scaling times the input amount over its output.
fn tree_strategy() -> impl Strategy<Value = (ProductSystemModel, Decimal)> {
    (1usize..8)
        .prop_flat_map(|n| {
            (
                Just(n),
                proptest::collection::vec(0usize..1000, n),
                proptest::collection::vec((1i64..5000, 100i64..4000, 1i64..200_000, 0i64..3000), n),
                1i64..100_000,
            )
        })
        .prop_map(|(n, parents, numbers, demand)| {
            let mut processes = Vec::new();
            let mut parent_of = vec![0usize; n];
            for i in 0..n {
                let (input, output, co2, uptake) = numbers[i];
                let mut p = process(
                    &format!("P{i}"),
                    &format!("p{i}"),
                    &Decimal::new(output, 3).to_string(),
                    ProcessSource::Own,
                );
                p.emissions.push(EmissionModel {
                    flow: "CO2".into(),
                    amount: Decimal::new(co2, 4),
                    kind: EmissionKind::Fossil,
                    uncertainty: None,
                });
                if uptake > 0 {
                    p.emissions.push(EmissionModel {
                        flow: "CO2".into(),
                        amount: Decimal::new(-uptake, 4),
                        kind: EmissionKind::Uptake,
                        uncertainty: None,
                    });
                }
                if i > 0 {
                    parent_of[i] = parents[i] % i;
                    let parent: &mut ProcessModel = &mut processes[parent_of[i]];
                    parent.inputs.push(InputModel {
                        product: format!("p{i}"),
                        amount: Decimal::new(input, 3),
                        uncertainty: None,
                    });
                }
                processes.push(p);
            }
            let demand = Decimal::new(demand, 2);
            // Runs of each process, parents before children.
            let mut runs = vec![Decimal::ZERO; n];
            let mut score = Decimal::ZERO;
            for i in 0..n {
                let needed = if i == 0 {
                    demand
                } else {
                    let parent = &processes[parent_of[i]];
                    let x = parent
                        .inputs
                        .iter()
                        .find(|x| x.product == format!("p{i}"))
                        .unwrap();
                    runs[parent_of[i]] * x.amount
                };
                runs[i] = needed / processes[i].output;
                let per_run: Decimal = processes[i].emissions.iter().map(|e| e.amount).sum();
                score += runs[i] * per_run;
            }
            (system("p0", &demand.to_string(), processes), score)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tree_scores_add_up((model, exact) in tree_strategy()) {
        let c = solve(&model, &CalcOptions::default());
        // Each figure carries 12 significant digits.
        let size: Decimal = c.processes.iter().map(|p| p.direct.abs()).sum::<Decimal>()
            + c.by_kind.iter().map(|(_, v)| v.abs()).sum::<Decimal>();
        let tolerance = (size + c.score.abs()) * d("1e-11") + d("1e-20");
        prop_assert!((sum_direct(&c) - c.score).abs() <= tolerance,
            "directs {} vs score {}", sum_direct(&c), c.score);
        prop_assert!((sum_kinds(&c) - c.score).abs() <= tolerance,
            "kinds {} vs score {}", sum_kinds(&c), c.score);
        prop_assert!((exact - c.score).abs() <= tolerance,
            "exact {} vs score {}", exact, c.score);
        prop_assert_eq!(c.processes.len(), model.processes.len());
        prop_assert!(c.tree.iter().all(|n| !n.loop_back));
    }
}
