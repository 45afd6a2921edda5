//! SORT and THREAD command arguments (RFC 5256 §3, RFC 5957, RFC 5267 §3.2
//! ESORT and §4.4 PARTIAL). The charset has been checked by the parser
//! (US-ASCII or UTF-8); it is kept because UTF8=ACCEPT allows only UTF-8
//! (RFC 6855 §3, erratum 4029).

use super::{SearchKey, SearchReturn};
use crate::backend::{SortCriterion, ThreadAlgorithm};

/// `SORT [RETURN (...)] (criteria) charset search-keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortArgs {
    /// ESORT result options, `None` without RETURN (a plain `* SORT`); an
    /// empty `RETURN ()` is read as ALL. Never SAVE or UPDATE.
    pub result: Option<Vec<SearchReturn>>,
    pub criteria: Vec<SortCriterion>,
    /// `US-ASCII` or `UTF-8`.
    pub charset: &'static str,
    pub search: SearchKey,
}

/// `THREAD algorithm charset search-keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadArgs {
    pub algorithm: ThreadAlgorithm,
    /// `US-ASCII` or `UTF-8`.
    pub charset: &'static str,
    pub search: SearchKey,
}
