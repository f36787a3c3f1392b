//! Quick benchmark without the `egret` binary:
//! `cargo run --release -p egret-lca --example lca_bench -- [PROCESSES] [DRAWS] [ORDERING]`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut o = egret_lca::bench::BenchOptions::default();
    if let Some(n) = args.get(1) {
        o.processes = n.parse().expect("processes");
    }
    if let Some(d) = args.get(2) {
        o.draws = d.parse().expect("draws");
    }
    if let Some(s) = args.get(3) {
        o.ordering = egret_lca::Ordering::parse(s).expect("ordering");
    }
    match egret_lca::bench::run(&o) {
        Ok(r) => println!("{r:#?}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
