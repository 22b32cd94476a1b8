//! The verification report: one entry per check, and an overall outcome that keeps "invalid"
//! apart from "could not check".

use serde::Serialize;

/// Result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Checked and passed.
    Ok,
    /// Checked and failed: the document is invalid.
    Failed,
    /// Not checked (not applicable, or not possible); see the reason and the outcome.
    Skipped,
}

/// One check of the pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// `parse`, `context`, `type`, `schema`, `proof`, `issuer`, `validity`, `presentation`, `status`, …
    pub name: &'static str,
    /// Its result.
    pub status: Status,
    /// Why, for people.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Whether this check applied but could not be made (makes the outcome indeterminate).
    #[serde(skip)]
    pub unknown: bool,
}

/// The overall outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every check that applies passed.
    Valid,
    /// At least one check failed.
    Invalid,
    /// Nothing failed, but an essential check could not be made (unknown context, unknown key,
    /// status list missing or too old). Never to be read as valid.
    Indeterminate,
}

/// A verification report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `credential`, `presentation` or `credential (VC-JWT)`.
    pub kind: String,
    /// The document's `id`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The verdict.
    pub outcome: Outcome,
    /// Every check, in pipeline order.
    pub checks: Vec<Check>,
    /// Reports of the credentials inside a presentation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<Report>,
    /// Reports of the endorsements embedded in a credential (its own, its achievement's, its
    /// issuer's). They inform; an invalid endorsement does not invalidate the credential.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub endorsements: Vec<Report>,
}

impl Report {
    pub(crate) fn new(kind: &str, id: Option<String>) -> Self {
        Self {
            kind: kind.to_owned(),
            id,
            outcome: Outcome::Valid,
            checks: Vec::new(),
            credentials: Vec::new(),
            endorsements: Vec::new(),
        }
    }

    pub(crate) fn ok(&mut self, name: &'static str, reason: impl Into<String>) {
        self.push(name, Status::Ok, reason.into());
    }

    pub(crate) fn failed(&mut self, name: &'static str, reason: impl Into<String>) {
        self.push(name, Status::Failed, reason.into());
    }

    /// A check that does not apply (no effect on the outcome).
    pub(crate) fn skipped(&mut self, name: &'static str, reason: impl Into<String>) {
        self.push(name, Status::Skipped, reason.into());
    }

    /// A check that applies but could not be made: the outcome can be at best indeterminate.
    pub(crate) fn unknown(&mut self, name: &'static str, reason: impl Into<String>) {
        self.checks.push(Check {
            name,
            status: Status::Skipped,
            reason: reason.into(),
            unknown: true,
        });
        self.outcome = self.compute(&[]);
    }

    fn push(&mut self, name: &'static str, status: Status, reason: String) {
        self.checks.push(Check { name, status, reason, unknown: false });
        self.outcome = self.compute(&[]);
    }

    pub(crate) fn add_credential(&mut self, report: Report) {
        self.credentials.push(report);
        self.outcome = self.compute(&[]);
    }

    /// The outcome when the checks named in `ignored` are left out (a VC-API caller that did not
    /// ask for `status`, say), here and in the reports of embedded credentials.
    pub fn outcome_ignoring(&self, ignored: &[&str]) -> Outcome {
        self.compute(ignored)
    }

    fn compute(&self, ignored: &[&str]) -> Outcome {
        let counted = || self.checks.iter().filter(|c| !ignored.contains(&c.name));
        let inner = || self.credentials.iter().map(|r| r.compute(ignored));
        let failed =
            counted().any(|c| c.status == Status::Failed) || inner().any(|o| o == Outcome::Invalid);
        let unknown = counted().any(|c| c.unknown) || inner().any(|o| o == Outcome::Indeterminate);
        if failed {
            Outcome::Invalid
        } else if unknown {
            Outcome::Indeterminate
        } else {
            Outcome::Valid
        }
    }

    /// The check named `name`, if it ran.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// Whether the verdict is valid.
    pub fn is_valid(&self) -> bool {
        self.outcome == Outcome::Valid
    }
}
