//! The batch engine: activity rows from CSV (streamed) or XLSX, results
//! written row by row, failed rows to an error file with the reason, and
//! totals per organisation and period. Memory grows with the number of
//! organisations, periods, sites and distinct factor/unit pairs, not with
//! the number of rows.
//!
//! The CSV interface is documented in `docs/carbon-format.md`.

use std::io::{Read, Write};

use egret_domain::refdata::{Confidence, ReferenceData};
use egret_i18n::{Lang, Msg};
use rust_decimal::Decimal;

use crate::calc::{Activity, Category, Engine, Instrument, Inventory, RecordError, Totals};
use crate::library::{Factor, GasValue, Library, Method, Origin, check_added};

/// Required columns of an activity file.
pub const ACTIVITY_COLUMNS: [&str; 8] = [
    "id", "org", "site", "period", "category", "quantity", "unit", "factor",
];

/// Columns of the per-row output.
pub const RESULT_COLUMNS: [&str; 11] = [
    "id",
    "org",
    "site",
    "period",
    "scope",
    "category",
    "factor",
    "gwp",
    "co2e_t",
    "co2e_market_t",
    "gases_t",
];

/// A failure that stops the whole run (unreadable file, missing columns).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchError {
    pub file: String,
    pub msg: Msg,
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.msg.render(Lang::En))
    }
}

impl std::error::Error for BatchError {}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub rows: u64,
    pub failed: u64,
    pub inventory: Inventory,
}

/// Reads a factor file (`id,gas,value,unit`, one row per gas; unit such as
/// `kg/MWh`, `t/t`, `kg/10^4Nm3`) as added factors.
pub fn read_factors<R: Read>(
    name: &str,
    input: R,
    lib: &Library,
    rd: &ReferenceData,
) -> Result<Library, BatchError> {
    let fail = |msg: Msg| BatchError {
        file: name.to_string(),
        msg,
    };
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let header = r
        .headers()
        .map_err(|e| fail(Msg::new("carbon-file-syntax").arg("detail", e)))?
        .clone();
    let col = |n: &str| {
        header
            .iter()
            .position(|h| h == n)
            .ok_or_else(|| fail(Msg::new("carbon-file-column").arg("column", n)))
    };
    let (ci, cg, cv, cu) = (col("id")?, col("gas")?, col("value")?, col("unit")?);
    let cs = header.iter().position(|h| h == "source");
    let mut factors: Vec<Factor> = Vec::new();
    for (n, rec) in r.records().enumerate() {
        let line = n + 2;
        let at = |column: &str, msg: Msg| {
            fail(
                Msg::new("carbon-row-error")
                    .arg("row", line)
                    .arg("column", column)
                    .arg("detail", msg.render(Lang::En)),
            )
        };
        let rec = rec.map_err(|e| at("", Msg::new("carbon-file-syntax").arg("detail", e)))?;
        let id = rec.get(ci).unwrap_or("");
        let value: Decimal = rec.get(cv).unwrap_or("").parse().map_err(|_| {
            at(
                "value",
                Msg::new("carbon-file-number").arg("value", rec.get(cv).unwrap_or("")),
            )
        })?;
        let unit = rec.get(cu).unwrap_or("");
        let (gas_unit, per_unit) = unit
            .split_once('/')
            .ok_or_else(|| at("unit", Msg::new("carbon-gas-unit").arg("unit", unit)))?;
        let gv = GasValue {
            gas: rec.get(cg).unwrap_or("").to_string(),
            value,
            unit: gas_unit.trim().to_string(),
            confidence: Confidence::Medium,
            source: cs
                .and_then(|i| rec.get(i))
                .filter(|s| !s.is_empty())
                .map_or_else(|| format!("factor file {name}, row {line}"), str::to_string),
        };
        match factors.iter_mut().find(|f| f.id == id) {
            Some(f) if f.per_unit == per_unit.trim() => f.gases.push(gv),
            Some(_) => {
                return Err(at(
                    "unit",
                    Msg::new("carbon-file-duplicate").arg("value", id),
                ));
            }
            None => factors.push(Factor {
                id: id.to_string(),
                family: "Added".into(),
                name_zh: id.to_string(),
                name_en: id.to_string(),
                region: String::new(),
                year: None,
                method: Method::Supplier,
                per_unit: per_unit.trim().to_string(),
                gases: vec![gv],
                confidence: Confidence::Medium,
                source: cs
                    .and_then(|i| rec.get(i))
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| format!("factor file {name}, row {line}"), str::to_string),
                reference: format!("{name}:{line}"),
                derivation: None,
                valid_from: None,
                valid_to: None,
                origin: Origin::Added {
                    by: name.to_string(),
                },
            }),
        }
    }
    let mut out = lib.clone();
    for f in factors {
        check_added(&out, rd, &f).map_err(fail)?;
        out = out.with_added(rd, [f]).map_err(fail)?;
    }
    Ok(out)
}

/// Column positions of an activity file.
struct Columns {
    fixed: [usize; 8],
    instrument: Option<usize>,
    market_factor: Option<usize>,
    date: Option<usize>,
}

impl Columns {
    fn from_header<'h>(
        file: &str,
        header: impl Iterator<Item = &'h str> + Clone,
    ) -> Result<Columns, BatchError> {
        let find = |n: &str| header.clone().position(|h| h.trim() == n);
        let mut fixed = [0; 8];
        for (slot, name) in fixed.iter_mut().zip(ACTIVITY_COLUMNS) {
            *slot = find(name).ok_or_else(|| BatchError {
                file: file.to_string(),
                msg: Msg::new("carbon-file-column").arg("column", name),
            })?;
        }
        Ok(Columns {
            fixed,
            instrument: find("instrument"),
            market_factor: find("market_factor"),
            date: find("date"),
        })
    }
}

/// Streams results and errors; shared by the CSV and XLSX readers.
struct Sink<'e, 'l, W: Write, E: Write> {
    engine: &'e mut Engine<'l>,
    out: csv::Writer<W>,
    errors: csv::Writer<E>,
    summary: Summary,
    groups: rustc_hash::FxHashMap<String, rustc_hash::FxHashMap<String, Totals>>,
    /// Reused text buffers for the numeric columns.
    gases: String,
    co2e: String,
    market: String,
}

impl<W: Write, E: Write> Sink<'_, '_, W, E> {
    fn row<'r>(
        &mut self,
        line: u64,
        cols: &Columns,
        get: &dyn Fn(usize) -> &'r str,
    ) -> Result<(), BatchError> {
        self.summary.rows += 1;
        let [ci, co, cs, cp, cc, cq, cu, cf] = cols.fixed;
        let res = (|| {
            let category = Category::parse(get(cc)).ok_or_else(|| RecordError {
                field: "category",
                msg: Msg::new("carbon-category-unknown").arg("value", get(cc)),
            })?;
            let quantity: Decimal = get(cq).trim().parse().map_err(|_| RecordError {
                field: "quantity",
                msg: Msg::new("carbon-file-number").arg("value", get(cq)),
            })?;
            let instrument = match cols.instrument {
                Some(i) => Instrument::parse(get(i)).ok_or_else(|| RecordError {
                    field: "instrument",
                    msg: Msg::new("carbon-instrument-unknown").arg("value", get(i)),
                })?,
                None => Instrument::None,
            };
            let market_factor = cols.market_factor.map(get).filter(|s| !s.is_empty());
            let a = Activity {
                id: get(ci),
                org: get(co),
                site: get(cs),
                period: get(cp),
                category,
                quantity,
                unit: get(cu).trim(),
                factor: get(cf).trim(),
                instrument,
                market_factor,
                date: cols.date.map(get).filter(|s| !s.is_empty()),
            };
            self.engine.calculate(&a).map(|r| (a, r))
        })();
        let map_io = |e: csv::Error| BatchError {
            file: "output".into(),
            msg: Msg::new("carbon-file-io").arg("detail", e),
        };
        match res {
            Ok((a, r)) => {
                self.gases.clear();
                for (i, (g, t)) in r.gases.iter().enumerate() {
                    if i > 0 {
                        self.gases.push(';');
                    }
                    self.gases.push_str(g);
                    self.gases.push('=');
                    push_decimal(&mut self.gases, *t);
                }
                let scope = [b'0' + r.category.scope()];
                self.co2e.clear();
                push_decimal(&mut self.co2e, r.co2e_t);
                self.market.clear();
                if let Some(m) = r.co2e_market_t {
                    push_decimal(&mut self.market, m);
                }
                self.out
                    .write_record([
                        a.id.as_bytes(),
                        a.org.as_bytes(),
                        a.site.as_bytes(),
                        a.period.as_bytes(),
                        &scope,
                        r.category.code().as_bytes(),
                        a.factor.as_bytes(),
                        self.engine.gwp_set().as_bytes(),
                        self.co2e.as_bytes(),
                        self.market.as_bytes(),
                        self.gases.as_bytes(),
                    ])
                    .map_err(map_io)?;
                self.totals_for(a.org, a.period).add(a.site, &r);
            }
            Err(e) => {
                self.summary.failed += 1;
                let column = match e.field {
                    "quantity" => ACTIVITY_COLUMNS[5],
                    "unit" => ACTIVITY_COLUMNS[6],
                    "category" => ACTIVITY_COLUMNS[4],
                    "factor" => ACTIVITY_COLUMNS[7],
                    other => other,
                };
                self.errors
                    .write_record([
                        line.to_string().as_str(),
                        get(ci),
                        column,
                        &e.msg.render(Lang::En),
                        &e.msg.render(Lang::ZhCn),
                    ])
                    .map_err(map_io)?;
            }
        }
        Ok(())
    }

    /// The totals of an organisation and period, found without allocating
    /// once the pair has been seen.
    fn totals_for(&mut self, org: &str, period: &str) -> &mut Totals {
        if !self.groups.get(org).is_some_and(|m| m.contains_key(period)) {
            self.groups
                .entry(org.to_string())
                .or_default()
                .insert(period.to_string(), Totals::default());
        }
        self.groups
            .get_mut(org)
            .and_then(|m| m.get_mut(period))
            .expect("inserted above")
    }

    fn finish(mut self) -> Result<Summary, BatchError> {
        for (org, periods) in self.groups.drain() {
            for (period, t) in periods {
                self.summary.inventory.insert((org.clone(), period), t);
            }
        }
        let io = |e: std::io::Error| BatchError {
            file: "output".into(),
            msg: Msg::new("carbon-file-io").arg("detail", e),
        };
        self.out.flush().map_err(io)?;
        self.errors.flush().map_err(io)?;
        Ok(self.summary)
    }
}

fn sink<'e, 'l, W: Write, E: Write>(
    engine: &'e mut Engine<'l>,
    out: W,
    errors: E,
) -> Result<Sink<'e, 'l, W, E>, BatchError> {
    let mut out = csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(out);
    let mut errors = csv::Writer::from_writer(errors);
    let io = |e: csv::Error| BatchError {
        file: "output".into(),
        msg: Msg::new("carbon-file-io").arg("detail", e),
    };
    out.write_record(RESULT_COLUMNS).map_err(io)?;
    errors
        .write_record(["row", "id", "column", "error", "error_zh"])
        .map_err(io)?;
    Ok(Sink {
        engine,
        out,
        errors,
        summary: Summary::default(),
        groups: Default::default(),
        gases: String::new(),
        co2e: String::new(),
        market: String::new(),
    })
}

/// Runs a CSV activity stream. `progress` is called with the rows done
/// every 65,536 rows.
pub fn run_csv<R: Read, W: Write, E: Write>(
    file: &str,
    input: R,
    engine: &mut Engine,
    out: W,
    errors: E,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary, BatchError> {
    let mut r = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 16)
        .from_reader(input);
    let header = r
        .byte_headers()
        .map_err(|e| BatchError {
            file: file.to_string(),
            msg: Msg::new("carbon-file-syntax").arg("detail", e),
        })?
        .clone();
    let names: Vec<&str> = header
        .iter()
        .map(|h| std::str::from_utf8(h).unwrap_or(""))
        .collect();
    let cols = Columns::from_header(file, names.iter().copied())?;
    let mut s = sink(engine, out, errors)?;
    let mut rec = csv::ByteRecord::new();
    let mut line = 1u64;
    loop {
        match r.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                line += 1;
                let get = |i: usize| {
                    rec.get(i)
                        .and_then(|b| std::str::from_utf8(b).ok())
                        .unwrap_or("")
                };
                s.row(line, &cols, &get)?;
            }
            Err(e) => {
                line += 1;
                s.summary.rows += 1;
                s.summary.failed += 1;
                s.errors
                    .write_record([
                        line.to_string().as_str(),
                        "",
                        "",
                        &Msg::new("carbon-file-syntax")
                            .arg("detail", &e)
                            .render(Lang::En),
                        &Msg::new("carbon-file-syntax")
                            .arg("detail", &e)
                            .render(Lang::ZhCn),
                    ])
                    .map_err(|e| BatchError {
                        file: "errors".into(),
                        msg: Msg::new("carbon-file-io").arg("detail", e),
                    })?;
            }
        }
        if line.is_multiple_of(65_536) {
            progress(line - 1);
        }
    }
    progress(line - 1);
    s.finish()
}

/// Runs the first sheet of an XLSX workbook with the same columns.
pub fn run_xlsx<W: Write, E: Write>(
    file: &str,
    bytes: &[u8],
    engine: &mut Engine,
    out: W,
    errors: E,
) -> Result<Summary, BatchError> {
    use calamine::{Reader, Xlsx};
    let fail = |msg: Msg| BatchError {
        file: file.to_string(),
        msg,
    };
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| fail(Msg::new("carbon-file-syntax").arg("detail", e)))?;
    let sheet =
        wb.sheet_names().first().cloned().ok_or_else(|| {
            fail(Msg::new("carbon-file-column").arg("column", ACTIVITY_COLUMNS[0]))
        })?;
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| fail(Msg::new("carbon-file-syntax").arg("detail", e)))?;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .unwrap_or_default();
    let cols = Columns::from_header(file, header.iter().map(String::as_str))?;
    let mut s = sink(engine, out, errors)?;
    for (n, row) in rows.enumerate() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        let get = |i: usize| cells.get(i).map_or("", String::as_str);
        s.row(n as u64 + 2, &cols, &get)?;
    }
    s.finish()
}

/// A cell as text; numbers keep the digits Excel shows (shortest form).
fn cell_text(c: &calamine::Data) -> String {
    match c {
        calamine::Data::Float(f) => {
            let s = f.to_string();
            s.parse::<Decimal>()
                .map_or(s, |d| d.normalize().to_string())
        }
        other => other.to_string(),
    }
}

/// Appends a decimal in its shortest form (as `Decimal::normalize` then
/// `Display` would), without going through the formatter.
fn push_decimal(buf: &mut String, d: Decimal) {
    let d = d.normalize();
    let (m, scale) = (d.mantissa(), d.scale() as usize);
    let Ok(mut v) = u64::try_from(m.unsigned_abs()) else {
        buf.push_str(&d.to_string());
        return;
    };
    let mut digits = [0u8; 20];
    let mut n = 0;
    loop {
        digits[n] = b'0' + (v % 10) as u8;
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if m < 0 {
        buf.push('-');
    }
    if n <= scale {
        buf.push_str("0.");
        for _ in n..scale {
            buf.push('0');
        }
        for i in (0..n).rev() {
            buf.push(digits[i] as char);
        }
    } else {
        for i in (0..n).rev() {
            buf.push(digits[i] as char);
            if i == scale && scale > 0 {
                buf.push('.');
            }
        }
    }
}

/// Writes the totals: one row per organisation and period.
pub fn write_summary<W: Write>(inv: &Inventory, out: W) -> Result<(), BatchError> {
    let io = |e: csv::Error| BatchError {
        file: "summary".into(),
        msg: Msg::new("carbon-file-io").arg("detail", e),
    };
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec![
        "org".to_string(),
        "period".into(),
        "records".into(),
        "scope1_t".into(),
        "scope2_location_t".into(),
        "scope2_market_t".into(),
        "scope3_t".into(),
    ];
    header.extend(Category::all().map(|c| format!("{}_t", c.code())));
    w.write_record(&header).map_err(io)?;
    for ((org, period), t) in inv {
        let mut row = vec![
            org.clone(),
            period.clone(),
            t.records.to_string(),
            t.scope1().normalize().to_string(),
            t.scope2_location().normalize().to_string(),
            t.scope2_market().normalize().to_string(),
            t.scope3().normalize().to_string(),
        ];
        row.extend(Category::all().map(|c| {
            t.by_category
                .get(&c)
                .map(|v| v.normalize().to_string())
                .unwrap_or_default()
        }));
        w.write_record(&row).map_err(io)?;
    }
    w.flush().map_err(|e| BatchError {
        file: "summary".into(),
        msg: Msg::new("carbon-file-io").arg("detail", e),
    })
}

/// Synthetic activity CSV for benchmarks: `rows` rows over a few
/// organisations, fuels and grid factors.
pub fn synthetic_csv<W: Write>(rows: u64, mut out: W) -> std::io::Result<()> {
    const KINDS: [(&str, &str, &str); 6] = [
        ("scope2.electricity", "kWh", "cn.grid.fujian.2022"),
        ("scope1.stationary", "10^4Nm3", "cn.fuel.natural-gas"),
        ("scope1.mobile", "t", "cn.fuel.diesel"),
        ("scope1.mobile", "kg", "cn.fuel.gasoline"),
        ("scope2.heat", "GJ", "cn.heat.default"),
        ("scope1.fugitive", "kg", "gas.HFC-134a"),
    ];
    let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut out);
    writeln!(w, "id,org,site,period,category,quantity,unit,factor")?;
    for i in 0..rows {
        let (cat, unit, factor) = KINDS[(i % 6) as usize];
        writeln!(
            w,
            "a{i},org{},site{},2025,{cat},{}.{:02},{unit},{factor}",
            i % 97,
            i % 7,
            1 + (i * 7919) % 100_000,
            i % 100
        )?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::push_decimal;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    proptest! {
        /// The fast writer prints exactly what the formatter prints.
        #[test]
        fn push_decimal_matches_display(m in any::<i64>(), scale in 0u32..28) {
            let d = Decimal::new(m, scale);
            let mut s = String::new();
            push_decimal(&mut s, d);
            prop_assert_eq!(s, d.normalize().to_string());
        }
    }

    #[test]
    fn push_decimal_edge_cases() {
        for x in [
            "0",
            "0.000",
            "-0.5",
            "12345678901234567890123.45",
            "0.0001",
            "100",
        ] {
            let d: Decimal = x.parse().unwrap();
            let mut s = String::new();
            push_decimal(&mut s, d);
            assert_eq!(s, d.normalize().to_string(), "{x}");
        }
    }
}
