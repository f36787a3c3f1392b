//! Unified social credit code (统一社会信用代码), GB 32100-2015.
//!
//! Layout of the 18 characters:
//!
//! | Pos.  | Meaning                                                   |
//! |-------|-----------------------------------------------------------|
//! | 1     | registration-authority code (1–9, A, N, Y)                |
//! | 2     | entity type within that authority (see `uscc-types.toml`) |
//! | 3–8   | GB/T 2260 division code of the registering authority      |
//! | 9–17  | organisation code (GB 11714): 8 body chars + check char   |
//! | 18    | check character, weighted sum mod 31                      |
//!
//! The alphabet has 31 symbols: digits and the capital letters except
//! I, O, S, V and Z. The check character makes every single-character
//! substitution detectable: the weights `3^(i-1) mod 31` are non-zero modulo
//! the prime 31, so changing any one symbol changes the weighted sum.

use std::fmt;
use std::str::FromStr;

use egret_i18n::{Lang, Msg};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::refdata::{ReferenceData, UsccType};

/// The 31 code symbols in value order: a symbol's value is its index.
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17 for the check character (`3^(i-1) mod 31`).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Weights of the 8 body characters of a GB 11714 organisation code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Value of a code symbol (0–30), or `None` outside the alphabet.
pub fn symbol_value(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

fn symbol(value: u32) -> char {
    ALPHABET.as_bytes()[value as usize] as char
}

/// Why a string is not a valid credit code. Variants are reported in the
/// order the checks run, so the first problem is the one shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccError {
    /// Wrong number of characters.
    Length { expected: usize, found: usize },
    /// A character outside the 31-symbol alphabet (1-based position).
    InvalidChar { position: usize, ch: char },
    /// Position 1 is not a registration-authority code.
    Authority { ch: char },
    /// Positions 1–2 are not a known authority + entity-type combination.
    Type { code: String },
    /// Positions 3–8 are not six digits.
    Division { found: String },
    /// The check character (position 18) does not match.
    CheckChar { expected: char, found: char },
}

impl UsccError {
    /// The user-facing message.
    pub fn msg(&self) -> Msg {
        match self {
            UsccError::Length { expected, found } => Msg::new("domain-uscc-length")
                .arg("expected", expected)
                .arg("found", found),
            UsccError::InvalidChar { position, ch } => Msg::new("domain-uscc-char")
                .arg("position", position)
                .arg("char", ch),
            UsccError::Authority { ch } => Msg::new("domain-uscc-authority").arg("char", ch),
            UsccError::Type { code } => Msg::new("domain-uscc-type").arg("code", code),
            UsccError::Division { found } => Msg::new("domain-uscc-division").arg("value", found),
            UsccError::CheckChar { expected, found } => Msg::new("domain-uscc-check")
                .arg("expected", expected)
                .arg("found", found),
        }
    }
}

impl fmt::Display for UsccError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().render(Lang::En))
    }
}

impl std::error::Error for UsccError {}

/// A valid unified social credit code: 18 characters, uppercase, with a
/// known authority/type combination and a correct check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

impl Uscc {
    /// Parses with the embedded reference data (for the type table).
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        Uscc::parse_with(input, ReferenceData::embedded())
    }

    /// Parses `input` after trimming it, folding full-width characters to
    /// ASCII and uppercasing it. Checks, in order: length, alphabet,
    /// authority, authority+type, division digits, check character.
    ///
    /// The organisation-code check character (position 17) is deliberately
    /// not enforced: see [`Uscc::org_code_check_ok`].
    pub fn parse_with(input: &str, rd: &ReferenceData) -> Result<Uscc, UsccError> {
        let chars: Vec<char> = input
            .trim()
            .chars()
            .map(fold_full_width)
            .flat_map(char::to_uppercase)
            .collect();
        if chars.len() != 18 {
            return Err(UsccError::Length {
                expected: 18,
                found: chars.len(),
            });
        }
        check_alphabet(&chars)?;
        if rd.uscc_authority(chars[0]).is_none() {
            return Err(UsccError::Authority { ch: chars[0] });
        }
        let type_code: String = chars[..2].iter().collect();
        if rd.uscc_type(&type_code).is_none() {
            return Err(UsccError::Type { code: type_code });
        }
        if !chars[2..8].iter().all(char::is_ascii_digit) {
            return Err(UsccError::Division {
                found: chars[2..8].iter().collect(),
            });
        }
        let expected = symbol(check_value(&chars[..17]));
        if chars[17] != expected {
            return Err(UsccError::CheckChar {
                expected,
                found: chars[17],
            });
        }
        Ok(Uscc(chars.into_iter().collect()))
    }

    /// The code as an 18-character uppercase string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: registration-authority code.
    pub fn authority(&self) -> char {
        self.0.as_bytes()[0] as char
    }

    /// Positions 1–2: authority + entity type (e.g. `91` = enterprise).
    pub fn type_code(&self) -> &str {
        &self.0[..2]
    }

    /// Positions 3–8: division code of the registering authority. For old
    /// codes this may be a code that no longer exists (e.g. 350204 开元区).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the organisation code (GB 11714) incl. its check char.
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }

    /// The entity type's reference entry (names in zh and en).
    pub fn kind<'a>(&self, rd: &'a ReferenceData) -> Option<&'a UsccType> {
        rd.uscc_type(self.type_code())
    }

    /// Whether position 17 is the GB 11714 check character of positions
    /// 9–16. Information only: many codes (e.g. of individual businesses)
    /// carry bodies that were not assigned as organisation codes.
    pub fn org_code_check_ok(&self) -> bool {
        let body = &self.0.as_bytes()[8..16];
        let mut sum = 0u32;
        for (b, w) in body.iter().zip(ORG_WEIGHTS) {
            let v = match b {
                b'0'..=b'9' => u32::from(b - b'0'),
                b'A'..=b'Z' => u32::from(b - b'A') + 10,
                _ => return false,
            };
            sum += v * w;
        }
        let expected = match 11 - sum % 11 {
            10 => 'X',
            11 => '0',
            d => char::from_digit(d, 10).unwrap_or('?'),
        };
        self.0.as_bytes()[16] as char == expected
    }
}

/// Computes the check character (position 18) for the first 17 characters,
/// for generators of valid codes. Only length and alphabet are checked.
pub fn check_char(first17: &str) -> Result<char, UsccError> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return Err(UsccError::Length {
            expected: 17,
            found: chars.len(),
        });
    }
    check_alphabet(&chars)?;
    Ok(symbol(check_value(&chars)))
}

/// `(31 - S mod 31) mod 31` where S is the weighted sum; the final `mod 31`
/// maps a sum divisible by 31 to `0` (not to the non-symbol value 31).
fn check_value(first17: &[char]) -> u32 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| symbol_value(*c).unwrap_or(0) * w)
        .sum();
    (31 - sum % 31) % 31
}

fn check_alphabet(chars: &[char]) -> Result<(), UsccError> {
    match chars.iter().position(|c| symbol_value(*c).is_none()) {
        Some(i) => Err(UsccError::InvalidChar {
            position: i + 1,
            ch: chars[i],
        }),
        None => Ok(()),
    }
}

/// Maps full-width ASCII variants (U+FF01–U+FF5E, as typed with a Chinese
/// input method) to ASCII.
fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Uscc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Uscc::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Uscc {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(
                "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
            ))
            .description(Some(
                "Unified social credit code (GB 32100-2015), check character verified",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Uscc {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn weighted_sum(first17: &str) -> u32 {
        first17
            .chars()
            .zip(WEIGHTS)
            .map(|(c, w)| symbol_value(c).unwrap() * w)
            .sum()
    }

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
        assert_eq!(ALPHABET.len(), 31);
        for banned in ['I', 'O', 'S', 'V', 'Z'] {
            assert!(symbol_value(banned).is_none());
        }
    }

    #[test]
    fn published_codes_verify() {
        // Codes published by the companies themselves (business licences,
        // annual reports); each passes only if the algorithm is right.
        for (code, who) in [
            ("914403001922038216", "华为技术有限公司 Huawei Technologies"),
            (
                "91330100799655058B",
                "阿里巴巴（中国）有限公司 Alibaba (China)",
            ),
            (
                "91110000802100433B",
                "北京百度网讯科技有限公司 Beijing Baidu Netcom",
            ),
            ("91440300708461136T", "深圳市腾讯计算机系统有限公司 Tencent"),
        ] {
            let u = Uscc::parse(code).unwrap_or_else(|e| panic!("{who}: {e}"));
            assert_eq!(u.as_str(), code);
            assert_eq!(u.type_code(), "91");
            assert!(u.org_code_check_ok(), "{who}");
        }
        let huawei = Uscc::parse("914403001922038216").unwrap();
        assert_eq!(huawei.authority(), '9');
        assert_eq!(huawei.division_code(), "440300");
        assert_eq!(huawei.org_code(), "192203821");
        assert_eq!(
            huawei.kind(ReferenceData::embedded()).unwrap().name_zh,
            "企业"
        );
    }

    #[test]
    fn constructed_codes_verify_and_normalise() {
        let prefix = "91350203MAEGRET01";
        let code = format!("{prefix}{}", check_char(prefix).unwrap());
        let u = Uscc::parse(&format!("  {}  ", code.to_lowercase())).unwrap();
        assert_eq!(u.as_str(), code);
        // Full-width input from a Chinese IME.
        let wide: String = code
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect();
        assert_eq!(Uscc::parse(&wide).unwrap(), u);
        // An all-digit code (check character happens to be a digit).
        assert!(Uscc::parse("913502036120015674").is_ok());
    }

    #[test]
    fn sum_divisible_by_31_yields_zero() {
        let prefix = "91350200MA2Y00004";
        assert_eq!(weighted_sum(prefix) % 31, 0);
        assert_eq!(check_char(prefix).unwrap(), '0');
        assert!(Uscc::parse(&format!("{prefix}0")).is_ok());
    }

    #[test]
    fn each_error_is_reported_precisely() {
        let cases: &[(&str, UsccError)] = &[
            (
                "91440300192203821",
                UsccError::Length {
                    expected: 18,
                    found: 17,
                },
            ),
            (
                "",
                UsccError::Length {
                    expected: 18,
                    found: 0,
                },
            ),
            (
                "9144O3001922038216",
                UsccError::InvalidChar {
                    position: 5,
                    ch: 'O',
                },
            ),
            (
                "91440300192203821-",
                UsccError::InvalidChar {
                    position: 18,
                    ch: '-',
                },
            ),
            ("B14403001922038216", UsccError::Authority { ch: 'B' }),
            ("94440300192203821X", UsccError::Type { code: "94".into() }),
            (
                "9144A3001922038216",
                UsccError::Division {
                    found: "44A300".into(),
                },
            ),
            (
                "914403001922038217",
                UsccError::CheckChar {
                    expected: '6',
                    found: '7',
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(&Uscc::parse(input).unwrap_err(), expected, "{input}");
            let msg = expected.msg();
            for lang in Lang::ALL {
                assert!(egret_i18n::has_key(lang, &msg.key), "{}", msg.key);
            }
        }
        assert_eq!(
            check_char("9135"),
            Err(UsccError::Length {
                expected: 17,
                found: 4
            })
        );
        let text = UsccError::CheckChar {
            expected: '6',
            found: '7',
        }
        .to_string();
        assert!(text.contains('6') && text.contains('7'), "{text}");
    }

    #[test]
    fn org_code_check_is_information_only() {
        let prefix = "91350203MAEGRET02";
        let code = format!("{prefix}{}", check_char(prefix).unwrap());
        let u = Uscc::parse(&code).unwrap();
        assert!(!u.org_code_check_ok());
    }

    #[test]
    fn serde_round_trip_as_a_string() {
        let u = Uscc::parse("914403001922038216").unwrap();
        let json = serde_json::to_string(&u).unwrap();
        assert_eq!(json, "\"914403001922038216\"");
        assert_eq!(serde_json::from_str::<Uscc>(&json).unwrap(), u);
        assert!(serde_json::from_str::<Uscc>("\"914403001922038217\"").is_err());
    }

    fn symbol_strategy() -> impl Strategy<Value = char> {
        (0..31u32).prop_map(symbol)
    }

    /// Random valid 17-character prefixes: a listed type code, six digits,
    /// nine alphabet symbols.
    fn prefix_strategy() -> impl Strategy<Value = String> {
        let types: Vec<String> = ReferenceData::embedded()
            .uscc_types()
            .map(|t| t.code.clone())
            .collect();
        (
            proptest::sample::select(types),
            "[0-9]{6}",
            proptest::collection::vec(symbol_strategy(), 9),
        )
            .prop_map(|(t, d, body)| format!("{t}{d}{}", body.into_iter().collect::<String>()))
    }

    proptest! {
        #[test]
        fn appending_the_check_char_gives_a_valid_code(prefix in prefix_strategy()) {
            let c = check_char(&prefix).unwrap();
            let code = Uscc::parse(&format!("{prefix}{c}")).unwrap();
            prop_assert_eq!(code.as_str(), format!("{prefix}{c}"));
        }

        #[test]
        fn any_single_substitution_is_detected(
            prefix in prefix_strategy(),
            pos in 0usize..18,
            replacement in symbol_strategy(),
        ) {
            let code: Vec<char> = format!("{prefix}{}", check_char(&prefix).unwrap()).chars().collect();
            prop_assume!(code[pos] != replacement);
            let mut changed = code.clone();
            changed[pos] = replacement;
            let changed: String = changed.into_iter().collect();
            prop_assert!(Uscc::parse(&changed).is_err(), "{} accepted", changed);
        }
    }
}
