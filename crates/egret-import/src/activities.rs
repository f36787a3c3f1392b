//! Carbon activity data from CSV or XLSX, in the columns of the batch
//! interface (`docs/carbon-format.md`): `category,quantity,unit,factor`
//! required; `id`, `site`, `description`, `instrument`, `market_factor`
//! optional; other columns (`org`, `period`, …) ignored, because the
//! organisation and period are those of the page the file is uploaded to.
//! Only the file's shape and numbers are checked here; what the values mean
//! (category, unit dimension, factor) is checked by the store, which maps
//! its findings back to these rows.

use egret_i18n::Msg;
use rust_decimal::Decimal;

use crate::{Cell, RowError, cell_text, csv_table, xlsx_table};

/// One activity row as read.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    /// File row (header = 1).
    pub row: usize,
    pub id: Option<String>,
    pub site: Option<String>,
    pub category: String,
    pub description: Option<String>,
    pub quantity: Decimal,
    pub unit: String,
    pub factor: String,
    pub instrument: Option<String>,
    pub market_factor: Option<String>,
}

const REQUIRED: [&str; 4] = ["category", "quantity", "unit", "factor"];
const OPTIONAL: [&str; 5] = ["id", "site", "description", "instrument", "market_factor"];

/// Reads an activity file (XLSX when it starts like a zip archive, else
/// CSV). All rows or the errors of every bad row.
pub fn read_activities(bytes: &[u8]) -> Result<Vec<ActivityRow>, Vec<RowError>> {
    let rows = if bytes.starts_with(b"PK\x03\x04") {
        xlsx_table(bytes).map_err(|e| vec![e])?.0
    } else {
        csv_table(bytes).map_err(|e| vec![e])?
    };
    let mut rows = rows
        .into_iter()
        .filter(|(_, cells)| !cells.iter().all(Cell::is_blank));
    let Some((_, header)) = rows.next() else {
        return Err(vec![RowError {
            row: 1,
            column: None,
            msg: Msg::new("import-no-header"),
        }]);
    };
    let names: Vec<String> = header
        .iter()
        .map(|c| cell_text(c, "").unwrap_or_default().trim().to_lowercase())
        .collect();
    let pos = |n: &str| names.iter().position(|h| h == n);
    let missing: Vec<RowError> = REQUIRED
        .iter()
        .filter(|n| pos(n).is_none())
        .map(|n| RowError {
            row: 1,
            column: Some((*n).to_string()),
            msg: Msg::new("import-activity-column").arg("column", *n),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (row, cells) in rows {
        let get = |n: &str| -> Result<String, RowError> {
            match pos(n).and_then(|i| cells.get(i)) {
                Some(c) => cell_text(c, n).map_err(|msg| RowError {
                    row,
                    column: Some(n.to_string()),
                    msg,
                }),
                None => Ok(String::new()),
            }
        };
        let mut fields = std::collections::BTreeMap::new();
        let mut bad = false;
        for n in REQUIRED.iter().chain(OPTIONAL.iter()) {
            match get(n) {
                Ok(v) => {
                    fields.insert(*n, v);
                }
                Err(e) => {
                    errors.push(e);
                    bad = true;
                }
            }
        }
        if bad {
            continue;
        }
        for n in REQUIRED {
            if fields[n].is_empty() {
                errors.push(RowError {
                    row,
                    column: Some(n.to_string()),
                    msg: Msg::new("import-activity-required").arg("column", n),
                });
                bad = true;
            }
        }
        if bad {
            continue;
        }
        let quantity = match egret_domain::value::parse_decimal(&fields["quantity"]) {
            Ok(q) => q,
            Err(msg) => {
                errors.push(RowError {
                    row,
                    column: Some("quantity".into()),
                    msg,
                });
                continue;
            }
        };
        let opt = |n: &str| Some(fields[n].clone()).filter(|s| !s.is_empty());
        out.push(ActivityRow {
            row,
            id: opt("id"),
            site: opt("site"),
            category: fields["category"].clone(),
            description: opt("description"),
            quantity,
            unit: fields["unit"].clone(),
            factor: fields["factor"].clone(),
            instrument: opt("instrument"),
            market_factor: opt("market_factor"),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_names_every_bad_cell() {
        let ok = "org,category,quantity,unit,factor,description\n\
                  x,scope1.mobile,\"1,250.5\",t,cn.fuel.diesel,trucks\n\n\
                  x,scope2.electricity,10,MWh,cn.grid.fujian.2022,\n";
        let rows = read_activities(ok.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].quantity, "1250.5".parse().unwrap());
        assert_eq!((rows[0].row, rows[1].row), (2, 4));
        assert_eq!(rows[0].description.as_deref(), Some("trucks"));
        let bad = "category,quantity,unit,factor\nscope1.mobile,lots,t,cn.fuel.diesel\n,1,t,x\n";
        let errs = read_activities(bad.as_bytes()).unwrap_err();
        let at: Vec<(usize, Option<&str>)> =
            errs.iter().map(|e| (e.row, e.column.as_deref())).collect();
        assert_eq!(at, [(2, Some("quantity")), (3, Some("category"))]);
        let errs = read_activities(b"category,unit\n").unwrap_err();
        assert_eq!(errs.len(), 2, "quantity and factor missing");
    }
}
