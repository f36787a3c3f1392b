//! Who may do what. Pure decisions over a [`Principal`]; the store enforces
//! them on every read and write, so a handler cannot forget to.
//!
//! The rules, in one place:
//! - platform admins may do everything;
//! - city government, analysts and banks may read every organisation's
//!   registry profile (it is the programme's register, not ESG data), but
//!   change nothing that belongs to an enterprise;
//! - city government and platform admins maintain the register (create,
//!   import);
//! - enterprise users read and change only the organisations they are bound
//!   to as members;
//! - assurers read only the organisations that engaged them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The kind of account. Every user has exactly one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PlatformAdmin,
    CityGov,
    Analyst,
    Bank,
    Assurer,
    Enterprise,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::PlatformAdmin,
        Role::CityGov,
        Role::Analyst,
        Role::Bank,
        Role::Assurer,
        Role::Enterprise,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::CityGov => "city_gov",
            Role::Analyst => "analyst",
            Role::Bank => "bank",
            Role::Assurer => "assurer",
            Role::Enterprise => "enterprise",
        }
    }

    /// Catalog key of the role's display name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "role-platform-admin",
            Role::CityGov => "role-city-gov",
            Role::Analyst => "role-analyst",
            Role::Bank => "role-bank",
            Role::Assurer => "role-assurer",
            Role::Enterprise => "role-enterprise",
        }
    }

    /// The relation a user of this role has to the organisations bound to it.
    pub fn binding(self) -> Option<Relation> {
        match self {
            Role::Enterprise => Some(Relation::Member),
            Role::Assurer => Some(Relation::Engagement),
            // Bank staff are bound to their bank (a financial institution
            // of the register): the tenant of its rules, facilities and
            // API log. It gives them no write access to its data.
            Role::Bank => Some(Relation::Staff),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}`"))
    }
}

/// How a user is bound to an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Staff of the organisation (enterprise users).
    Member,
    /// An assurance engagement (assurers).
    Engagement,
    /// The bank a bank user works for.
    Staff,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Member => "member",
            Relation::Engagement => "engagement",
            Relation::Staff => "staff",
        }
    }
}

impl FromStr for Relation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "member" => Ok(Relation::Member),
            "engagement" => Ok(Relation::Engagement),
            _ => Err(format!("unknown relation `{s}`")),
        }
    }
}

/// The acting party of a request or command: a signed-in user, an API
/// token's owner, or the system itself (migrations, demo generator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: String,
    pub role: Role,
    /// Organisations bound to this user (members or engagements), sorted.
    pub orgs: Vec<String>,
}

impl Principal {
    /// The platform acting on its own behalf (demo generator, CLI imports).
    pub fn system(name: &str) -> Principal {
        Principal {
            user_id: format!("system:{name}"),
            role: Role::PlatformAdmin,
            orgs: Vec::new(),
        }
    }

    /// Someone not signed in: an enterprise role bound to no organisation,
    /// so only what is public (e.g. published reports) is readable.
    pub fn anonymous() -> Principal {
        Principal {
            user_id: "anonymous".into(),
            role: Role::Enterprise,
            orgs: Vec::new(),
        }
    }

    pub fn is_bound_to(&self, org_id: &str) -> bool {
        self.orgs
            .binary_search_by(|o| o.as_str().cmp(org_id))
            .is_ok()
    }

    /// Which organisations' registry profiles this principal may read.
    pub fn org_scope(&self) -> OrgScope<'_> {
        match self.role {
            Role::PlatformAdmin | Role::CityGov | Role::Analyst | Role::Bank => OrgScope::All,
            Role::Enterprise | Role::Assurer => OrgScope::Only(&self.orgs),
        }
    }

    pub fn can_read_org(&self, org_id: &str) -> bool {
        match self.org_scope() {
            OrgScope::All => true,
            OrgScope::Only(_) => self.is_bound_to(org_id),
        }
    }

    /// Changing an organisation's profile, sites and periods.
    pub fn can_write_org(&self, org_id: &str) -> bool {
        match self.role {
            Role::PlatformAdmin => true,
            Role::Enterprise => self.is_bound_to(org_id),
            _ => false,
        }
    }

    /// Registering new organisations, one at a time or by import.
    pub fn can_register_orgs(&self) -> bool {
        matches!(self.role, Role::PlatformAdmin | Role::CityGov)
    }

    /// Creating accounts and binding them to organisations.
    /// May add shared reference data for everyone (e.g. city emission
    /// factors).
    pub fn can_manage_reference_data(&self) -> bool {
        matches!(self.role, Role::PlatformAdmin | Role::CityGov)
    }

    pub fn can_manage_users(&self) -> bool {
        self.role == Role::PlatformAdmin
    }

    /// Reading an organisation's unpublished ESG data (values, evidence):
    /// its own staff, its engaged assurers and platform admins. City
    /// government, analysts and banks see only what is published.
    pub fn can_read_esg_data(&self, org_id: &str) -> bool {
        match self.role {
            Role::PlatformAdmin => true,
            Role::Enterprise | Role::Assurer => self.is_bound_to(org_id),
            _ => false,
        }
    }

    /// Reading the write history of an organisation.
    pub fn can_read_audit(&self, org_id: &str) -> bool {
        match self.role {
            Role::PlatformAdmin => true,
            Role::Enterprise => self.is_bound_to(org_id),
            _ => false,
        }
    }
}

/// The set of organisations a principal may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgScope<'a> {
    All,
    Only(&'a [String]),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, orgs: &[&str]) -> Principal {
        let mut orgs: Vec<String> = orgs.iter().map(|s| s.to_string()).collect();
        orgs.sort();
        Principal {
            user_id: "u".into(),
            role,
            orgs,
        }
    }

    #[test]
    fn enterprise_sees_and_changes_only_its_own() {
        let e = p(Role::Enterprise, &["b", "a"]);
        assert!(e.can_read_org("a") && e.can_write_org("b"));
        assert!(!e.can_read_org("c") && !e.can_write_org("c"));
        assert!(e.can_read_esg_data("a") && !e.can_read_esg_data("c"));
        assert!(!e.can_register_orgs() && !e.can_manage_users());
    }

    #[test]
    fn assurer_reads_engagements_only_and_writes_nothing() {
        let a = p(Role::Assurer, &["x"]);
        assert!(a.can_read_org("x"));
        assert!(!a.can_read_org("y"));
        assert!(!a.can_write_org("x"));
    }

    #[test]
    fn readers_of_the_register_cannot_write() {
        for role in [Role::CityGov, Role::Analyst, Role::Bank] {
            let r = p(role, &[]);
            assert!(r.can_read_org("any"));
            assert!(!r.can_write_org("any"));
            assert!(!r.can_read_audit("any"));
            assert!(
                !r.can_read_esg_data("any"),
                "unpublished data stays private"
            );
        }
        assert!(p(Role::CityGov, &[]).can_register_orgs());
        assert!(!p(Role::Bank, &[]).can_register_orgs());
    }

    #[test]
    fn roles_round_trip_through_their_codes() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
