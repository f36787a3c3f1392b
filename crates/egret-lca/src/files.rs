//! The matrix file format (docs/lca.md): three CSV files with headers
//!
//! - technosphere: `product,process,amount`
//! - biosphere: `flow,process,amount`
//! - characterisation: `flow,factor`
//!
//! each with the optional columns `distribution,loc,scale,min,max`, plus a
//! demand file `product,amount`. Ids are free text; columns may come in any
//! order; blank lines are skipped; unknown columns are an error (a typo
//! would silently drop uncertainty otherwise). Bad input fails naming the
//! file, the 1-based line (the header is line 1) and the column.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::error::{LcaError, Result};
use crate::system::{BioExchange, CharFactor, SystemData, TechExchange};
use crate::uncertainty::Uncertainty;

/// The optional uncertainty columns.
pub const UNCERTAINTY_COLUMNS: [&str; 5] = ["distribution", "loc", "scale", "min", "max"];

/// File names `write_system` uses inside a directory.
pub const TECHNOSPHERE_FILE: &str = "technosphere.csv";
pub const BIOSPHERE_FILE: &str = "biosphere.csv";
pub const CHARACTERISATION_FILE: &str = "cf.csv";
pub const DEMAND_FILE: &str = "demand.csv";

struct Table<'d> {
    file: String,
    columns: Vec<String>,
    required: &'static [&'static str],
    data: &'d [u8],
    reader: csv::Reader<&'d [u8]>,
}

struct Row<'a> {
    table: &'a Table<'a>,
    line: u64,
    record: csv::StringRecord,
}

impl<'d> Table<'d> {
    fn open(
        file: &str,
        data: &'d [u8],
        required: &'static [&'static str],
        optional: &'static [&'static str],
    ) -> Result<Table<'d>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(data);
        let bad = |column: &str, message: String| LcaError::Input {
            file: file.to_string(),
            line: 1,
            column: column.to_string(),
            message,
        };
        let headers = reader
            .headers()
            .map_err(|e| bad("-", format!("cannot read the header: {e}")))?
            .clone();
        let columns: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
        if columns.len() == 1 && columns[0].is_empty() {
            return Err(bad(
                required[0],
                format!(
                    "the file is empty; expected the header {}",
                    required.join(",")
                ),
            ));
        }
        for (i, c) in columns.iter().enumerate() {
            if !required.contains(&c.as_str()) && !optional.contains(&c.as_str()) {
                return Err(bad(
                    c,
                    format!(
                        "unknown column '{c}' (expected {} and optionally {})",
                        required.join(","),
                        optional.join(",")
                    ),
                ));
            }
            if columns[..i].contains(c) {
                return Err(bad(c, format!("column '{c}' appears twice")));
            }
        }
        for r in required {
            if !columns.iter().any(|c| c == r) {
                return Err(bad(r, format!("missing column '{r}'")));
            }
        }
        Ok(Table {
            file: file.to_string(),
            columns,
            required,
            data,
            reader,
        })
    }

    /// The 1-based line at a byte offset, counting from a known earlier
    /// (offset, line) pair (the csv crate's own line count skips blank
    /// lines).
    fn line_at(&self, from: (usize, u64), byte: usize) -> u64 {
        let (start, line) = from;
        let end = byte.min(self.data.len());
        line + self.data[start.min(end)..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    }

    fn rows(&mut self) -> Result<Vec<Row<'_>>> {
        let mut out = Vec::new();
        let mut records = Vec::new();
        let mut error = None;
        for rec in self.reader.records() {
            match rec {
                Ok(r) => records.push(r),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        let mut at = (0usize, 1u64);
        if let Some(e) = error {
            let byte = e.position().map_or(self.data.len(), |p| p.byte() as usize);
            let line = self.line_at(at, byte);
            return Err(LcaError::Input {
                file: self.file.clone(),
                line,
                column: "-".into(),
                message: format!("unreadable CSV: {e}"),
            });
        }
        for record in records {
            // The recorded start includes blank lines skipped before it.
            let mut byte = record.position().map_or(0, |p| p.byte() as usize);
            while matches!(self.data.get(byte), Some(b'\n' | b'\r')) {
                byte += 1;
            }
            let line = self.line_at(at, byte);
            at = (byte, line);
            out.push(Row {
                table: self,
                line,
                record,
            });
        }
        Ok(out)
    }
}

impl Row<'_> {
    fn error(&self, column: &str, message: String) -> LcaError {
        LcaError::Input {
            file: self.table.file.clone(),
            line: self.line,
            column: column.to_string(),
            message,
        }
    }

    /// The trimmed text of a column ("" when absent or the row is short).
    fn text(&self, column: &str) -> Result<&str> {
        match self.table.columns.iter().position(|c| c == column) {
            None => Ok(""),
            Some(i) => match self.record.get(i) {
                Some(v) => Ok(v),
                None if self.table.required.contains(&column) => Err(self.error(
                    column,
                    format!(
                        "the row has {} fields but the header has {}",
                        self.record.len(),
                        self.table.columns.len()
                    ),
                )),
                None => Ok(""),
            },
        }
    }

    fn check_width(&self) -> Result<()> {
        if self.record.len() > self.table.columns.len() {
            return Err(self.error(
                &self.table.columns[self.table.columns.len() - 1],
                format!(
                    "the row has {} fields but the header has {}",
                    self.record.len(),
                    self.table.columns.len()
                ),
            ));
        }
        Ok(())
    }

    fn id(&self, column: &str) -> Result<String> {
        let v = self.text(column)?;
        if v.is_empty() {
            return Err(self.error(column, "is empty; an id is required".into()));
        }
        Ok(v.to_string())
    }

    fn parse_number(&self, column: &str, v: &str) -> Result<f64> {
        let x: f64 = v
            .parse()
            .map_err(|_| self.error(column, format!("'{v}' is not a number")))?;
        if !x.is_finite() {
            return Err(self.error(column, format!("'{v}' is not a finite number")));
        }
        Ok(x)
    }

    fn number(&self, column: &str) -> Result<f64> {
        let v = self.text(column)?;
        if v.is_empty() {
            return Err(self.error(column, "is empty; a number is required".into()));
        }
        self.parse_number(column, v)
    }

    fn optional_number(&self, column: &str) -> Result<Option<f64>> {
        let v = self.text(column)?;
        if v.is_empty() {
            Ok(None)
        } else {
            self.parse_number(column, v).map(Some)
        }
    }

    /// The uncertainty columns, checked against the amount.
    fn uncertainty(&self, amount: f64) -> Result<Uncertainty> {
        let name = self.text("distribution")?.to_ascii_lowercase();
        let loc = self.optional_number("loc")?;
        let scale = self.optional_number("scale")?;
        let min = self.optional_number("min")?;
        let max = self.optional_number("max")?;
        let need = |col: &str, v: Option<f64>| {
            v.ok_or_else(|| self.error(col, format!("is empty; a {name} distribution needs it")))
        };
        let u = match name.as_str() {
            "" | "none" => Uncertainty::None,
            "lognormal" => Uncertainty::Lognormal {
                loc: loc.unwrap_or_else(|| amount.abs().ln()),
                scale: need("scale", scale)?,
            },
            "normal" => Uncertainty::Normal {
                loc: loc.unwrap_or(amount),
                scale: need("scale", scale)?,
            },
            "triangular" => Uncertainty::Triangular {
                min: need("min", min)?,
                mode: loc.unwrap_or(amount),
                max: need("max", max)?,
            },
            "uniform" => Uncertainty::Uniform {
                min: need("min", min)?,
                max: need("max", max)?,
            },
            other => {
                return Err(self.error(
                    "distribution",
                    format!(
                        "'{other}' is not a distribution (lognormal, normal, triangular, \
                         uniform or empty)"
                    ),
                ));
            }
        };
        u.check(amount)
            .map_err(|(col, message)| self.error(col, message))?;
        Ok(u)
    }
}

fn slurp(file: &str, mut input: impl Read) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    input
        .read_to_end(&mut data)
        .map_err(|source| LcaError::Io {
            file: file.to_string(),
            source,
        })?;
    Ok(data)
}

fn open(path: &Path) -> Result<BufReader<File>> {
    let f = File::open(path).map_err(|source| LcaError::Io {
        file: path.display().to_string(),
        source,
    })?;
    Ok(BufReader::new(f))
}

/// Reads a technosphere file (`product,process,amount[,uncertainty]`).
pub fn read_technosphere(file: &str, input: impl Read) -> Result<Vec<TechExchange>> {
    let data = slurp(file, input)?;
    let mut t = Table::open(
        file,
        &data,
        &["product", "process", "amount"],
        &UNCERTAINTY_COLUMNS,
    )?;
    t.rows()?
        .iter()
        .map(|r| {
            r.check_width()?;
            let amount = r.number("amount")?;
            Ok(TechExchange {
                product: r.id("product")?,
                process: r.id("process")?,
                amount,
                uncertainty: r.uncertainty(amount)?,
            })
        })
        .collect()
}

/// Reads a biosphere file (`flow,process,amount[,uncertainty]`).
pub fn read_biosphere(file: &str, input: impl Read) -> Result<Vec<BioExchange>> {
    let data = slurp(file, input)?;
    let mut t = Table::open(
        file,
        &data,
        &["flow", "process", "amount"],
        &UNCERTAINTY_COLUMNS,
    )?;
    t.rows()?
        .iter()
        .map(|r| {
            r.check_width()?;
            let amount = r.number("amount")?;
            Ok(BioExchange {
                flow: r.id("flow")?,
                process: r.id("process")?,
                amount,
                uncertainty: r.uncertainty(amount)?,
            })
        })
        .collect()
}

/// Reads a characterisation file (`flow,factor[,uncertainty]`).
pub fn read_characterisation(file: &str, input: impl Read) -> Result<Vec<CharFactor>> {
    let data = slurp(file, input)?;
    let mut t = Table::open(file, &data, &["flow", "factor"], &UNCERTAINTY_COLUMNS)?;
    t.rows()?
        .iter()
        .map(|r| {
            r.check_width()?;
            let factor = r.number("factor")?;
            Ok(CharFactor {
                flow: r.id("flow")?,
                factor,
                uncertainty: r.uncertainty(factor)?,
            })
        })
        .collect()
}

/// Reads a demand file (`product,amount`).
pub fn read_demand(file: &str, input: impl Read) -> Result<Vec<(String, f64)>> {
    let data = slurp(file, input)?;
    let mut t = Table::open(file, &data, &["product", "amount"], &[])?;
    t.rows()?
        .iter()
        .map(|r| {
            r.check_width()?;
            Ok((r.id("product")?, r.number("amount")?))
        })
        .collect()
}

/// Reads the three matrix files.
pub fn read_system(technosphere: &Path, biosphere: &Path, cf: &Path) -> Result<SystemData> {
    Ok(SystemData {
        technosphere: read_technosphere(&technosphere.display().to_string(), open(technosphere)?)?,
        biosphere: read_biosphere(&biosphere.display().to_string(), open(biosphere)?)?,
        characterisation: read_characterisation(&cf.display().to_string(), open(cf)?)?,
    })
}

/// Reads a demand file from a path.
pub fn read_demand_file(path: &Path) -> Result<Vec<(String, f64)>> {
    read_demand(&path.display().to_string(), open(path)?)
}

/// Shortest text that parses back to the same f64.
pub fn format_number(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || (1e-5..1e16).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

fn uncertainty_fields(u: &Uncertainty) -> [String; 5] {
    let f = |v: f64| format_number(v);
    let e = String::new;
    match *u {
        Uncertainty::None => [e(), e(), e(), e(), e()],
        Uncertainty::Lognormal { loc, scale } => ["lognormal".into(), f(loc), f(scale), e(), e()],
        Uncertainty::Normal { loc, scale } => ["normal".into(), f(loc), f(scale), e(), e()],
        Uncertainty::Triangular { min, mode, max } => {
            ["triangular".into(), f(mode), e(), f(min), f(max)]
        }
        Uncertainty::Uniform { min, max } => ["uniform".into(), e(), e(), f(min), f(max)],
    }
}

fn write_rows<W: Write>(
    out: W,
    header: &[&str],
    rows: impl Iterator<Item = (Vec<String>, Uncertainty)> + Clone,
) -> std::io::Result<()> {
    let with_u = rows.clone().any(|(_, u)| !u.is_none());
    let mut w = csv::Writer::from_writer(out);
    let mut head: Vec<&str> = header.to_vec();
    if with_u {
        head.extend(UNCERTAINTY_COLUMNS);
    }
    w.write_record(&head)?;
    for (mut fields, u) in rows {
        if with_u {
            fields.extend(uncertainty_fields(&u));
        }
        w.write_record(&fields)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes a technosphere file (uncertainty columns only when some entry has
/// a distribution).
pub fn write_technosphere<W: Write>(out: W, rows: &[TechExchange]) -> std::io::Result<()> {
    write_rows(
        out,
        &["product", "process", "amount"],
        rows.iter().map(|x| {
            (
                vec![
                    x.product.clone(),
                    x.process.clone(),
                    format_number(x.amount),
                ],
                x.uncertainty,
            )
        }),
    )
}

/// Writes a biosphere file.
pub fn write_biosphere<W: Write>(out: W, rows: &[BioExchange]) -> std::io::Result<()> {
    write_rows(
        out,
        &["flow", "process", "amount"],
        rows.iter().map(|x| {
            (
                vec![x.flow.clone(), x.process.clone(), format_number(x.amount)],
                x.uncertainty,
            )
        }),
    )
}

/// Writes a characterisation file.
pub fn write_characterisation<W: Write>(out: W, rows: &[CharFactor]) -> std::io::Result<()> {
    write_rows(
        out,
        &["flow", "factor"],
        rows.iter()
            .map(|x| (vec![x.flow.clone(), format_number(x.factor)], x.uncertainty)),
    )
}

/// Writes a demand file.
pub fn write_demand<W: Write>(out: W, demand: &[(String, f64)]) -> std::io::Result<()> {
    write_rows(
        out,
        &["product", "amount"],
        demand
            .iter()
            .map(|(p, a)| (vec![p.clone(), format_number(*a)], Uncertainty::None)),
    )
}

/// Writes `technosphere.csv`, `biosphere.csv`, `cf.csv` and `demand.csv`
/// into `dir` (created if missing).
pub fn write_system(dir: &Path, data: &SystemData, demand: &[(String, f64)]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| LcaError::Io {
        file: dir.display().to_string(),
        source,
    })?;
    let create = |name: &str| {
        let p = dir.join(name);
        File::create(&p)
            .map(BufWriter::new)
            .map_err(|source| LcaError::Io {
                file: p.display().to_string(),
                source,
            })
    };
    let io = |name: &str| {
        let file = dir.join(name).display().to_string();
        move |source| LcaError::Io { file, source }
    };
    write_technosphere(create(TECHNOSPHERE_FILE)?, &data.technosphere)
        .map_err(io(TECHNOSPHERE_FILE))?;
    write_biosphere(create(BIOSPHERE_FILE)?, &data.biosphere).map_err(io(BIOSPHERE_FILE))?;
    write_characterisation(create(CHARACTERISATION_FILE)?, &data.characterisation)
        .map_err(io(CHARACTERISATION_FILE))?;
    write_demand(create(DEMAND_FILE)?, demand).map_err(io(DEMAND_FILE))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tech(text: &str) -> Result<Vec<TechExchange>> {
        read_technosphere("A.csv", std::io::Cursor::new(text.to_string().into_bytes()))
    }

    #[test]
    fn reads_entries_with_and_without_uncertainty() {
        let rows = tech(
            "product,process,amount,distribution,loc,scale,min,max\n\
             steel,mill,1,,,,,\n\
             \n\
             coal,mill,-0.5,lognormal,,0.1,,\n\
             ore,mill,-2,triangular,-2,,-3,-1\n\
             water,mill,-3,Normal,,0.3,,\n\
             gas,mill,-1,uniform,,,-1.5,-0.5\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0].uncertainty, Uncertainty::None);
        assert_eq!(
            rows[1].uncertainty,
            Uncertainty::lognormal_around(-0.5, 0.1)
        );
        assert!(
            matches!(rows[2].uncertainty, Uncertainty::Triangular { mode, .. } if mode == -2.0)
        );
        assert!(matches!(rows[3].uncertainty, Uncertainty::Normal { loc, .. } if loc == -3.0));
        assert!(matches!(rows[4].uncertainty, Uncertainty::Uniform { .. }));
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = tech("product,process,amount\na,A,1\nb,A,abc\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "A.csv row 3, column amount: 'abc' is not a number"
        );
        let e = tech("product,process,amount\n\n\na,,1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "A.csv row 4, column process: is empty; an id is required"
        );
        let e = tech("product,process,amount\na,A,NaN\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("row 2, column amount: 'NaN' is not a finite"),
            "{e}"
        );
        let e = tech("product,process\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "A.csv row 1, column amount: missing column 'amount'"
        );
        let e = tech("product,process,amount,distrbution\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("A.csv row 1, column distrbution: unknown column")
        );
        let e = tech("product,process,amount\na,A\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("A.csv row 2, column amount: the row has 2 fields")
        );
        let e = tech("product,process,amount\na,A,1,2\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("A.csv row 2, column amount: the row has 4"),
            "{e}"
        );
        let e =
            tech("product,process,amount,distribution,scale\na,A,1,lognormal,-1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "A.csv row 2, column scale: must be greater than 0, is -1"
        );
        let e = tech("product,process,amount,distribution\na,A,1,gamma\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("column distribution: 'gamma' is not a distribution")
        );
        let e = tech("product,process,amount,distribution,min\na,A,1,uniform,0\n").unwrap_err();
        assert!(e.to_string().contains("column max: is empty"), "{e}");
        let e = tech("").unwrap_err();
        assert!(e.to_string().contains("row 1"), "{e}");
    }

    #[test]
    fn numbers_round_trip_through_text() {
        for v in [
            0.0,
            1.0,
            -0.1,
            1e-300,
            6.02214076e23,
            -2.5e-7,
            f64::MIN_POSITIVE,
            1e16,
        ] {
            assert_eq!(format_number(v).parse::<f64>().unwrap(), v);
        }
        assert_eq!(format_number(0.25), "0.25");
        assert_eq!(format_number(1e-300), "1e-300");
    }

    #[test]
    fn demand_and_characterisation() {
        let d = read_demand(
            "d.csv",
            std::io::Cursor::new(b"product,amount\nsteel,2\n".to_vec()),
        )
        .unwrap();
        assert_eq!(d, vec![("steel".to_string(), 2.0)]);
        let c = read_characterisation(
            "C.csv",
            std::io::Cursor::new(b"factor,flow\n1,CO2\n29.8,CH4\n".to_vec()),
        )
        .unwrap();
        assert_eq!(c[1].flow, "CH4");
        assert_eq!(c[1].factor, 29.8);
    }
}
