//! Call and byte counters per (quarter, authority, service, system,
//! accounting info), exact under concurrency, with the quarterly invoice
//! export and the suppliers' view.
//!
//! Counters live in shards chosen by the key's hash; each shard is a
//! read-write lock over a map of atomic counters. Counting an existing key
//! takes a shard's read lock and two atomic adds; only the first call of a new
//! key takes a shard's write lock. The accounting info comes from callers, so
//! the maps hash with SipHash (std's `RandomState`), and the number of
//! distinct keys is bounded ([`AccountingLimits::max_keys`]).

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::RwLock;

use super::decide::Allowed;
use crate::ids::{Cvr, Uuid};
use crate::time::UtcTime;

/// Bytes of accounting info kept per key (255 characters of up to 4 bytes).
const INFO_MAX_BYTES: usize = 1020;
/// quarter, authority, CVR, service, system, supplier CVR, info tag.
const HEAD: usize = 4 + 16 + 4 + 16 + 16 + 4 + 1;
const KEY_MAX: usize = HEAD + INFO_MAX_BYTES;

const TAG_NONE: u8 = 0;
const TAG_TEXT: u8 = 1;
const TAG_OVERFLOW: u8 = 2;

/// Bounds of the accounting tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountingLimits {
    /// Most distinct keys with their own accounting info. Default 100,000.
    /// Past it, a call with a new accounting info is counted under
    /// [`AccountingInfo::Overflow`] of its (quarter, authority, service,
    /// system): the invoice totals stay exact, only the sorting by accounting
    /// info is lost for it. Overflow keys are not bounded by this number but by
    /// the registry (one per agreement triple and quarter).
    pub max_keys: usize,
    /// Number of shards (rounded up to at least 1). Default 64.
    pub shards: usize,
}

impl Default for AccountingLimits {
    fn default() -> Self {
        AccountingLimits { max_keys: 100_000, shards: 64 }
    }
}

/// A calendar quarter (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    year: i32,
    quarter: u8,
}

impl Quarter {
    /// Quarter `quarter` (1 to 4) of `year`.
    pub fn new(year: i32, quarter: u8) -> Option<Quarter> {
        (1..=4).contains(&quarter).then_some(Quarter { year, quarter })
    }

    /// The quarter an instant falls in (UTC).
    pub fn of(t: UtcTime) -> Quarter {
        let (year, month) = year_month(t.unix_millis().div_euclid(86_400_000));
        Quarter { year: year as i32, quarter: ((month - 1) / 3 + 1) as u8 }
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// 1 to 4.
    pub fn quarter(&self) -> u8 {
        self.quarter
    }

    fn code(self) -> u32 {
        (self.year as u32).wrapping_mul(4).wrapping_add(u32::from(self.quarter - 1))
    }

    fn from_code(code: u32) -> Quarter {
        Quarter { year: (code / 4) as i32, quarter: (code % 4 + 1) as u8 }
    }
}

impl fmt::Display for Quarter {
    /// `2026-Q1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.quarter)
    }
}

/// Year and month of a day count since 1970-01-01 (civil calendar).
fn year_month(days: i64) -> (i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month)
}

/// The accounting info of a usage row.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccountingInfo {
    /// The call gave none.
    None,
    /// The call's `AccountingInfo` (at most 1,020 bytes kept).
    Text(String),
    /// Calls whose accounting info arrived after the key limit was reached.
    Overflow,
}

/// One counter: calls and bytes for a key.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageRow {
    /// The quarter.
    pub quarter: Quarter,
    /// The authority billed.
    pub authority: Uuid,
    /// Its CVR.
    pub authority_cvr: Cvr,
    /// The service called.
    pub service: Uuid,
    /// The calling system.
    pub system: Uuid,
    /// The system's supplier.
    pub supplier_cvr: Cvr,
    /// The caller's accounting info.
    pub accounting_info: AccountingInfo,
    /// Allowed calls counted.
    pub calls: u64,
    /// Bytes counted.
    pub bytes: u64,
}

#[derive(Default)]
struct Counters {
    calls: AtomicU64,
    bytes: AtomicU64,
}

impl Counters {
    fn add(&self, calls: u64, bytes: u64) {
        self.calls.fetch_add(calls, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
}

type Shard = RwLock<HashMap<Box<[u8]>, Counters>>;

/// Usage counters for billing (authorities) and the suppliers' view.
pub struct Accounting {
    shards: Box<[Shard]>,
    pick: RandomState,
    limits: AccountingLimits,
    keys: AtomicUsize,
    overflowed: AtomicU64,
}

impl fmt::Debug for Accounting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accounting").field("limits", &self.limits).field("keys", &self.keys).finish_non_exhaustive()
    }
}

impl Default for Accounting {
    fn default() -> Self {
        Accounting::new(AccountingLimits::default())
    }
}

impl Accounting {
    /// Empty counters.
    pub fn new(limits: AccountingLimits) -> Self {
        let shards = (0..limits.shards.max(1)).map(|_| RwLock::new(HashMap::new())).collect();
        Accounting {
            shards,
            pick: RandomState::new(),
            limits,
            keys: AtomicUsize::new(0),
            overflowed: AtomicU64::new(0),
        }
    }

    /// Counts one allowed call received at `received`, with its accounting
    /// info and `bytes` (request and response, as the caller counts them).
    pub fn record(&self, allowed: &Allowed<'_>, received: UtcTime, accounting_info: Option<&str>, bytes: u64) {
        self.add(allowed, received, accounting_info, (1, bytes));
    }

    /// Adds bytes to a call already counted (e.g. a streamed response, once its size is known).
    pub fn add_bytes(&self, allowed: &Allowed<'_>, received: UtcTime, accounting_info: Option<&str>, bytes: u64) {
        self.add(allowed, received, accounting_info, (0, bytes));
    }

    fn add(&self, allowed: &Allowed<'_>, received: UtcTime, info: Option<&str>, (calls, bytes): (u64, u64)) {
        let mut buf = [0u8; KEY_MAX];
        let len = encode_key(&mut buf, allowed, Quarter::of(received), info);
        let key = &buf[..len];
        let shard = self.shard(key);
        if let Some(c) = shard.read().unwrap_or_else(|e| e.into_inner()).get(key) {
            return c.add(calls, bytes);
        }
        let mut map = shard.write().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = map.get(key) {
            return c.add(calls, bytes);
        }
        if key[HEAD - 1] == TAG_OVERFLOW || self.keys.fetch_add(1, Ordering::Relaxed) < self.limits.max_keys {
            return map.entry(key.into()).or_default().add(calls, bytes);
        }
        self.keys.fetch_sub(1, Ordering::Relaxed);
        drop(map);
        self.overflowed.fetch_add(calls, Ordering::Relaxed);
        let mut overflow = [0u8; HEAD];
        overflow.copy_from_slice(&key[..HEAD]);
        overflow[HEAD - 1] = TAG_OVERFLOW;
        let shard = self.shard(&overflow);
        let mut map = shard.write().unwrap_or_else(|e| e.into_inner());
        map.entry(overflow.as_slice().into()).or_default().add(calls, bytes);
    }

    fn shard(&self, key: &[u8]) -> &Shard {
        let h = self.pick.hash_one(key);
        &self.shards[(h % self.shards.len() as u64) as usize]
    }

    /// Distinct keys with their own accounting info (overflow keys not counted).
    pub fn keys(&self) -> usize {
        self.keys.load(Ordering::Relaxed)
    }

    /// Calls counted under [`AccountingInfo::Overflow`] so far.
    pub fn overflowed_calls(&self) -> u64 {
        self.overflowed.load(Ordering::Relaxed)
    }

    /// Every counter of a quarter, sorted by authority CVR, service, system, accounting info.
    pub fn usage(&self, quarter: Quarter) -> Vec<UsageRow> {
        let mut rows = Vec::new();
        for shard in self.shards.iter() {
            let map = shard.read().unwrap_or_else(|e| e.into_inner());
            for (key, c) in map.iter() {
                let row = decode_key(key, c);
                if row.quarter == quarter {
                    rows.push(row);
                }
            }
        }
        rows.sort_by(|a, b| {
            (a.authority_cvr, a.service, a.system, &a.accounting_info).cmp(&(
                b.authority_cvr,
                b.service,
                b.system,
                &b.accounting_info,
            ))
        });
        rows
    }

    /// The quarterly invoice as CSV: a header line, then one line per
    /// (authority, service, accounting info) with the calls and bytes summed
    /// over systems: `authority,service,accounting_info,calls,bytes,period`
    /// (authority = CVR, service = UUID, period = `2026-Q1`). Accounting info
    /// is quoted as RFC 4180 says, and prefixed with `'` when it starts with
    /// `=`, `+`, `-` or `@` so that spreadsheets do not run it as a formula;
    /// calls past the key limit show `(overflow)`.
    pub fn invoice_csv(&self, quarter: Quarter) -> String {
        let mut sums: BTreeMap<(Cvr, Uuid, AccountingInfo), (u64, u64)> = BTreeMap::new();
        for row in self.usage(quarter) {
            let sum = sums.entry((row.authority_cvr, row.service, row.accounting_info)).or_default();
            sum.0 += row.calls;
            sum.1 += row.bytes;
        }
        let mut out = String::from("authority,service,accounting_info,calls,bytes,period\n");
        for ((cvr, service, info), (calls, bytes)) in sums {
            let _ = write!(out, "{cvr},{service},");
            csv_info(&mut out, &info);
            let _ = writeln!(out, ",{calls},{bytes},{quarter}");
        }
        out
    }

    /// Calls per supplier (CVR) in a quarter, sorted by CVR.
    pub fn supplier_calls(&self, quarter: Quarter) -> Vec<(Cvr, u64)> {
        let mut sums: BTreeMap<Cvr, u64> = BTreeMap::new();
        for row in self.usage(quarter) {
            *sums.entry(row.supplier_cvr).or_default() += row.calls;
        }
        sums.into_iter().collect()
    }

    /// Drops the counters of a quarter (after its invoice is made).
    pub fn forget(&self, quarter: Quarter) {
        let code = quarter.code().to_be_bytes();
        for shard in self.shards.iter() {
            let mut map = shard.write().unwrap_or_else(|e| e.into_inner());
            map.retain(|key, _| {
                let keep = key[..4] != code;
                if !keep && key[HEAD - 1] != TAG_OVERFLOW {
                    self.keys.fetch_sub(1, Ordering::Relaxed);
                }
                keep
            });
        }
    }
}

fn encode_key(buf: &mut [u8; KEY_MAX], a: &Allowed<'_>, quarter: Quarter, info: Option<&str>) -> usize {
    buf[0..4].copy_from_slice(&quarter.code().to_be_bytes());
    buf[4..20].copy_from_slice(a.authority.uuid.as_bytes());
    buf[20..24].copy_from_slice(&a.authority.cvr.value().to_be_bytes());
    buf[24..40].copy_from_slice(a.service.uuid.as_bytes());
    buf[40..56].copy_from_slice(a.system.uuid.as_bytes());
    buf[56..60].copy_from_slice(&a.system.supplier_cvr.value().to_be_bytes());
    let Some(info) = info else {
        buf[HEAD - 1] = TAG_NONE;
        return HEAD;
    };
    buf[HEAD - 1] = TAG_TEXT;
    let mut end = info.len().min(INFO_MAX_BYTES);
    while !info.is_char_boundary(end) {
        end -= 1;
    }
    buf[HEAD..HEAD + end].copy_from_slice(&info.as_bytes()[..end]);
    HEAD + end
}

fn decode_key(key: &[u8], c: &Counters) -> UsageRow {
    let uuid = |at: usize| {
        let mut b = [0u8; 16];
        b.copy_from_slice(&key[at..at + 16]);
        Uuid::from_bytes(b)
    };
    let cvr = |at: usize| {
        let v = u32::from_be_bytes([key[at], key[at + 1], key[at + 2], key[at + 3]]);
        Cvr::parse(&format!("{v:08}")).unwrap_or_else(|_| Cvr::parse("00000000").expect("eight digits"))
    };
    let accounting_info = match key[HEAD - 1] {
        TAG_TEXT => AccountingInfo::Text(String::from_utf8_lossy(&key[HEAD..]).into_owned()),
        TAG_OVERFLOW => AccountingInfo::Overflow,
        _ => AccountingInfo::None,
    };
    UsageRow {
        quarter: Quarter::from_code(u32::from_be_bytes([key[0], key[1], key[2], key[3]])),
        authority: uuid(4),
        authority_cvr: cvr(20),
        service: uuid(24),
        system: uuid(40),
        supplier_cvr: cvr(56),
        accounting_info,
        calls: c.calls.load(Ordering::Relaxed),
        bytes: c.bytes.load(Ordering::Relaxed),
    }
}

fn csv_info(out: &mut String, info: &AccountingInfo) {
    let text = match info {
        AccountingInfo::None => return,
        AccountingInfo::Overflow => return out.push_str("(overflow)"),
        AccountingInfo::Text(t) => t,
    };
    let formula = text.starts_with(['=', '+', '-', '@']);
    let quote = formula || text.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for ch in text.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    if quote {
        out.push('"');
    }
}
