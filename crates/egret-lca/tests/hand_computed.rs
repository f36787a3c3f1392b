//! A small system with a loop (electricity ↔ coal mining), solved by hand:
//!
//! ```text
//!              electricity  coal mining  steel
//! electricity      1           -0.2        -4
//! coal            -0.5          1          -1
//! steel            0            0           2
//! ```
//!
//! For 1 kg of steel: s_steel = 1/2; the loop must deliver 2 kWh and
//! 0.5 kg, so s_E − 0.2 s_M = 2 and −0.5 s_E + s_M = 0.5, giving
//! s_E = 7/3 and s_M = 5/3. CO2: 1 kg/kWh, 0.1 kg/kg coal, 0.5 kg per
//! steel process unit; CH4: 0.01 kg/kg coal; factors CO2 = 1, CH4 = 30.
//! Score = 7/3 + 1/6 + 1/4 + 30 · 5/3 · 0.01 = 2.75 + 0.5 = 3.25.
//! Cumulative per unit (u = A⁻ᵀ·Bᵀc): electricity 4/3, coal 2/3, steel 3.25.

use egret_lca::files::{read_biosphere, read_characterisation, read_technosphere};
use egret_lca::{
    Lca, LcaError, LcaOptions, McOptions, Ordering, ProductSystem, SystemData, TreeOptions,
};

const A: &str = "product,process,amount,distribution,loc,scale,min,max
electricity,electricity production,1,,,,,
coal,electricity production,-0.5,lognormal,,0.1,,
coal,coal mining,1,,,,,
electricity,coal mining,-0.2,normal,,0.02,,
steel,steel production,2,,,,,
electricity,steel production,-3,triangular,-3,,-3.5,-2.5
electricity,steel production,-1,uniform,,,-1.2,-0.8
coal,steel production,-1,,,,,
";
const B: &str = "flow,process,amount
CO2,electricity production,1
CO2,coal mining,0.1
CH4,coal mining,0.01
CO2,steel production,0.5
";
const C: &str = "flow,factor
CO2,1
CH4,30
";

fn system() -> ProductSystem {
    let data = SystemData {
        technosphere: read_technosphere("A.csv", A.as_bytes()).unwrap(),
        biosphere: read_biosphere("B.csv", B.as_bytes()).unwrap(),
        characterisation: read_characterisation("C.csv", C.as_bytes()).unwrap(),
    };
    ProductSystem::build(data).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1.0)
}

#[test]
fn scaling_and_score_equal_the_hand_solution() {
    for ordering in [
        Ordering::Auto,
        Ordering::BlockTriangular,
        Ordering::Colamd,
        Ordering::Supernodal,
    ] {
        let lca = Lca::new(system(), LcaOptions { ordering }).unwrap();
        let r = lca.solve(&[("steel", 1.0)]).unwrap();
        let sys = lca.system();
        let s = |p: &str| r.scaling[sys.process(p).unwrap()];
        assert!(
            close(s("electricity production"), 7.0 / 3.0),
            "{ordering:?}"
        );
        assert!(close(s("coal mining"), 5.0 / 3.0));
        assert!(close(s("steel production"), 0.5));
        assert!(close(r.score, 3.25), "{}", r.score);
        let g = |f: &str| r.inventory[sys.flow(f).unwrap()];
        assert!(close(g("CO2"), 2.75));
        assert!(close(g("CH4"), 1.0 / 60.0));
        assert!(lca.residual(&r) < 1e-15);
        // A new demand reuses the factorisation.
        let r2 = lca.solve(&[("electricity", 0.9)]).unwrap();
        assert!(close(r2.score, 0.9 * 4.0 / 3.0));
    }
}

#[test]
fn contributions_and_supply_chain() {
    let lca = Lca::new(system(), LcaOptions::default()).unwrap();
    let r = lca.solve(&[("steel", 1.0)]).unwrap();
    let top = lca.top_processes(&r, 2);
    assert_eq!(top[0].process, "electricity production");
    assert!(close(top[0].score, 7.0 / 3.0));
    assert!(close(top[1].score, 5.0 / 3.0 * 0.4));
    let flows = lca.top_flows(&r, 5);
    assert_eq!(flows.len(), 2);
    assert_eq!(flows[0].flow, "CO2");
    assert!(close(flows[1].score, 0.5));
    let u = lca.unit_cumulative().unwrap();
    let sys = lca.system();
    assert!(close(u[sys.product("electricity").unwrap()], 4.0 / 3.0));
    assert!(close(u[sys.product("coal").unwrap()], 2.0 / 3.0));

    let tree = lca.supply_chain(&r, TreeOptions::default()).unwrap();
    let root = &tree.roots[0];
    assert_eq!(root.product, "steel");
    assert!(close(root.cumulative, 3.25));
    assert!(close(root.direct, 0.25));
    assert_eq!(root.children[0].product, "electricity");
    assert!(close(root.children[0].amount, 2.0));
    assert!(close(root.children[0].cumulative, 8.0 / 3.0));
    // Direct + children add up to the node's cumulative score.
    let sum: f64 =
        root.direct + root.below_cutoff + root.children.iter().map(|c| c.cumulative).sum::<f64>();
    assert!(close(sum, root.cumulative));
    // The loop is cut where electricity reappears below coal.
    let coal = &root.children[0].children[0];
    assert_eq!(coal.product, "coal");
    assert!(close(coal.amount, 1.0));
    let back = &coal.children[0];
    assert!(back.loop_back && back.children.is_empty());

    // A tight depth cap marks the tree as truncated.
    let shallow = lca
        .supply_chain(
            &r,
            TreeOptions {
                max_depth: 1,
                ..TreeOptions::default()
            },
        )
        .unwrap();
    assert!(shallow.truncated);
}

#[test]
fn monte_carlo_is_reproducible_whatever_the_thread_count() {
    let lca = Lca::new(system(), LcaOptions::default()).unwrap();
    let f = lca.system().demand_vector(&[("steel", 1.0)]).unwrap();
    let run = |threads, seed| {
        lca.monte_carlo(
            &f,
            McOptions {
                draws: 200,
                seed,
                threads,
                bins: 10,
            },
        )
        .unwrap()
    };
    let one = run(1, 42);
    for threads in [2, 3, 8] {
        assert_eq!(one, run(threads, 42));
        assert_eq!(one.scores, run(threads, 42).scores);
    }
    assert_ne!(one.scores, run(2, 43).scores);
    let st = &one.stats;
    assert_eq!(st.n, 200);
    assert!(st.p2_5 <= st.p5 && st.p5 <= st.p50 && st.p50 <= st.p95 && st.p95 <= st.p97_5);
    assert!((st.mean - 3.25).abs() < 0.1, "{}", st.mean);
    assert!(st.sd > 0.0);
    assert_eq!(st.histogram.counts.iter().sum::<usize>(), 200);
}

#[test]
fn a_loop_that_produces_nothing_net_is_named() {
    // Each process consumes exactly what the other produces.
    let a = "product,process,amount\nx,P,1\ny,P,-1\ny,Q,1\nx,Q,-1\n";
    let data = SystemData {
        technosphere: read_technosphere("A.csv", a.as_bytes()).unwrap(),
        ..Default::default()
    };
    for ordering in [
        Ordering::BlockTriangular,
        Ordering::Colamd,
        Ordering::Supernodal,
    ] {
        let e = match Lca::new(
            ProductSystem::build(data.clone()).unwrap(),
            LcaOptions { ordering },
        )
        .and_then(|l| l.solve(&[("x", 1.0)]))
        {
            Err(e) => e,
            Ok(r) => panic!("{ordering:?} solved a singular system: {:?}", r.scaling),
        };
        assert!(
            matches!(
                e,
                LcaError::Singular { .. } | LcaError::NonFiniteSolution { .. }
            ),
            "{ordering:?}: {e}"
        );
        let text = e.to_string();
        assert!(
            text.contains("process 'P'") || text.contains("process 'Q'"),
            "{text}"
        );
    }
}
