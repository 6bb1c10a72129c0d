//! The ticket status machine of spec §3.

use crate::error::DomainError;
use crate::ticket::vocabulary;

vocabulary!(
    /// Where a ticket stands.
    Status, "status", {
        New => "new",
        Open => "open",
        InProgress => "in_progress",
        PendingCustomer => "pending_customer",
        OnHold => "on_hold",
        Resolved => "resolved",
        Closed => "closed",
    }
);

impl Status {
    /// Statuses this one may move to, in display order.
    pub fn allowed_next(self) -> &'static [Status] {
        use Status::*;
        match self {
            New => &[Open, InProgress, PendingCustomer, Resolved, Closed],
            Open => &[InProgress, PendingCustomer, OnHold, Resolved, Closed],
            InProgress => &[Open, PendingCustomer, OnHold, Resolved],
            PendingCustomer => &[Open, InProgress, Resolved],
            OnHold => &[Open, InProgress, Resolved],
            Resolved => &[Closed, Open],
            Closed => &[Open],
        }
    }

    /// True while work is still owed (not resolved, not closed).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }

    /// A move straight to `closed` from `new`/`open` is for spam or duplicates and needs a reason.
    pub fn close_needs_reason(self) -> bool {
        matches!(self, Status::New | Status::Open)
    }
}

/// Checks one transition. `reason` is the close reason (spam, duplicate, ...) where one is needed.
pub fn check_transition(from: Status, to: Status, reason: Option<&str>) -> Result<(), DomainError> {
    if !from.allowed_next().contains(&to) {
        let allowed = from
            .allowed_next()
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(DomainError::InvalidTransition { from, to, allowed });
    }
    if to == Status::Closed
        && from.close_needs_reason()
        && reason.is_none_or(|r| r.trim().is_empty())
    {
        return Err(DomainError::invalid(
            "reason",
            format!(
                "closing a ticket that is {from} needs a reason (for example: spam, duplicate)"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn table_matches_spec() {
        assert!(check_transition(New, Open, None).is_ok());
        assert!(check_transition(Resolved, Open, None).is_ok());
        assert!(check_transition(Closed, Open, None).is_ok());
        assert!(check_transition(Resolved, Closed, None).is_ok());
        assert!(check_transition(InProgress, Closed, None).is_err());
        assert!(check_transition(PendingCustomer, OnHold, None).is_err());
        assert!(check_transition(Closed, Resolved, None).is_err());
    }

    #[test]
    fn invalid_transition_names_allowed_ones() {
        let err = check_transition(Closed, InProgress, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot change status from closed to in_progress (allowed from closed: open)"
        );
    }

    #[test]
    fn close_from_new_needs_reason() {
        let err = check_transition(New, Closed, None).unwrap_err();
        assert!(err.to_string().contains("needs a reason"), "{err}");
        assert!(check_transition(New, Closed, Some("duplicate of HD-3")).is_ok());
    }

    #[test]
    fn same_status_is_not_a_transition() {
        for s in Status::ALL {
            assert!(check_transition(*s, *s, Some("x")).is_err(), "{s}");
        }
    }

    #[test]
    fn parse_lists_allowed_values() {
        let err = "done".parse::<Status>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown status 'done' (allowed: new, open, in_progress, pending_customer, on_hold, resolved, closed)"
        );
    }
}
