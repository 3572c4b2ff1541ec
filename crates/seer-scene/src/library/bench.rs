//! Search speed on a synthetic library: shots with varied narrations
//! from a small vocabulary, labels with counts, English and Chinese
//! on-screen text; latency of a mix of word, phrase, typo, filtered and
//! Chinese queries.

use super::{Library, LibraryError, SearchQuery, StoredShot, VideoFacts};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// Shots per synthetic video.
const SHOTS_PER_VIDEO: usize = 1000;
/// Videos stored per commit while building.
const VIDEOS_PER_COMMIT: usize = 10;

const CLASSES: &[&str] = &[
    "person",
    "car",
    "bus",
    "truck",
    "bicycle",
    "motorcycle",
    "dog",
    "cat",
    "horse",
    "bird",
    "boat",
    "train",
    "umbrella",
    "bottle",
    "chair",
    "laptop",
    "traffic light",
    "backpack",
];
const CAMERA: &[&str] = &[
    "The camera is still.",
    "The camera pans left.",
    "The camera pans right.",
    "The camera tilts up.",
    "The camera zooms in.",
    "The camera zooms out.",
];
const ENGLISH: &[&str] = &[
    "Breaking News",
    "Main Street",
    "EXIT",
    "Welcome to the city",
    "Speed limit ahead",
    "Next stop Central",
    "Please keep left",
    "Open daily from nine",
    "SCORE 2-1",
    "Station",
];
const CHINESE: &[&str] = &[
    "火车站",
    "欢迎光临",
    "北京",
    "上海欢迎你",
    "新闻联播",
    "注意安全",
    "禁止停车",
    "今天天气很好",
];
const NUMBERS: &[&str] = &["one", "two", "three", "four", "five", "six"];

/// Latency figures of one kind of query, milliseconds.
#[derive(Clone, Debug, Serialize)]
pub struct QueryKindFigures {
    /// The kind (word, phrase, typo, filter, chinese, words).
    pub kind: String,
    /// Queries run.
    pub queries: usize,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Mean number of hits returned.
    pub mean_hits: f64,
}

/// Figures of a search benchmark.
#[derive(Clone, Debug, Serialize)]
pub struct SearchBench {
    /// Shots in the library.
    pub shots: usize,
    /// Videos in the library.
    pub videos: usize,
    /// Seconds to build the library (database, index, commits).
    pub build_s: f64,
    /// Seconds to open the built library afresh.
    pub open_s: f64,
    /// Queries timed.
    pub queries: usize,
    /// Median latency over all queries, ms.
    pub p50_ms: f64,
    /// 99th percentile latency over all queries, ms.
    pub p99_ms: f64,
    /// Slowest query, ms.
    pub max_ms: f64,
    /// The same per kind of query.
    pub kinds: Vec<QueryKindFigures>,
}

impl SearchBench {
    /// A plain-text summary.
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "{} shots in {} videos built in {:.1} s (opened in {:.2} s)\n{} queries: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms\n",
            self.shots, self.videos, self.build_s, self.open_s, self.queries, self.p50_ms, self.p99_ms, self.max_ms
        );
        out.push_str("kind      queries  p50 ms  p99 ms  mean hits\n");
        for k in &self.kinds {
            out.push_str(&format!(
                "{:<9} {:<8} {:<7.2} {:<7.2} {:.1}\n",
                k.kind, k.queries, k.p50_ms, k.p99_ms, k.mean_hits
            ));
        }
        out
    }
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn plural(class: &str) -> String {
    match class {
        "person" => "people".into(),
        "bus" => "buses".into(),
        c => format!("{c}s"),
    }
}

/// A synthetic shot: 1 to 3 classes with counts, a sentence about them,
/// camera motion, sometimes an event and on-screen text.
fn shot(rng: &mut Rng, index: usize, start_s: f64) -> StoredShot {
    let length = 1.0 + rng.below(80) as f64 / 10.0;
    let mut counts = BTreeMap::new();
    for _ in 0..1 + rng.below(3) {
        counts.insert(rng.pick(CLASSES).to_string(), 1 + rng.below(6) as u64);
    }
    let seen: Vec<String> = counts
        .iter()
        .map(|(class, &n)| {
            if n == 1 {
                format!("a {class}")
            } else {
                format!("{} {}", NUMBERS[(n as usize - 1).min(5)], plural(class))
            }
        })
        .collect();
    let mut narration = format!("{} in view. {}", seen.join(" and "), rng.pick(CAMERA));
    if rng.below(3) == 0 {
        let class = rng.pick(CLASSES);
        let what = if rng.below(2) == 0 {
            "enters"
        } else {
            "leaves"
        };
        narration.push_str(&format!(" A {class} {what} at 0:{:02}.", rng.below(60)));
    }
    let mut screen = Vec::new();
    if rng.below(4) == 0 {
        screen.push(rng.pick(ENGLISH).to_string());
    }
    if rng.below(6) == 0 {
        screen.push(rng.pick(CHINESE).to_string());
    }
    let mut chars = narration.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    StoredShot {
        index: index as u64,
        start_s,
        end_s: start_s + length,
        narration: first + chars.as_str(),
        screen_text: screen.join("\n"),
        faces: String::new(),
        counts,
        thumbnail: None,
    }
}

fn video(rng: &mut Rng, number: usize, shots: usize) -> (VideoFacts, Vec<StoredShot>) {
    let mut t = 0.0;
    let rows: Vec<StoredShot> = (0..shots)
        .map(|i| {
            let s = shot(rng, i, t);
            t = s.end_s;
            s
        })
        .collect();
    let name = format!("synthetic_{number:04}.mp4");
    let facts = VideoFacts {
        path: PathBuf::from(format!("/synthetic/{name}")),
        name,
        fps: 25.0,
        frames: (t * 25.0) as u64,
        duration_s: t,
        size_bytes: 0,
        mtime_s: 0,
    };
    (facts, rows)
}

/// The query mix: (kind, query), `count` of them.
fn queries(rng: &mut Rng, count: usize, videos: usize) -> Vec<(&'static str, SearchQuery)> {
    let typos = [
        "bicyle",
        "peopel",
        "motorcylce",
        "umbrela",
        "backpak",
        "laptpo",
        "statoin",
    ];
    (0..count)
        .map(|i| match i % 6 {
            0 => ("word", SearchQuery::new(rng.pick(CLASSES))),
            1 => {
                let class = rng.pick(CLASSES);
                let n = rng.pick(&NUMBERS[1..]);
                (
                    "phrase",
                    SearchQuery::new(&format!("\"{n} {}\"", plural(class))),
                )
            }
            2 => ("typo", SearchQuery::new(rng.pick(&typos))),
            3 => {
                let mut q = SearchQuery::new(rng.pick(&["camera pans", "enters", "zooms"]));
                q.label = Some(rng.pick(CLASSES).to_string());
                q.min_count = Some(1 + rng.below(4) as u64);
                if rng.below(2) == 0 {
                    q.after_s = Some(rng.below(3000) as f64);
                }
                if rng.below(2) == 0 {
                    q.video = Some(format!("synthetic_{:04}.mp4", rng.below(videos)));
                }
                ("filter", q)
            }
            4 => ("chinese", SearchQuery::new(rng.pick(CHINESE))),
            _ => (
                "words",
                SearchQuery::new(&format!("{} {}", rng.pick(ENGLISH), rng.pick(CLASSES))),
            ),
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

/// Builds a library of `shots` synthetic shots in a temporary folder
/// (deleted after) and times `queries_n` mixed searches (after a warm-up).
pub fn bench_search(shots: usize, queries_n: usize) -> Result<SearchBench, LibraryError> {
    let temp = tempfile::tempdir().map_err(|source| LibraryError::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let folder = &temp.path().join("library");
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let videos = shots.div_ceil(SHOTS_PER_VIDEO).max(1);
    let started = Instant::now();
    let mut library = Library::create(folder)?;
    let mut made = 0;
    let mut number = 0;
    while number < videos {
        let batch: Vec<_> = (number..(number + VIDEOS_PER_COMMIT).min(videos))
            .map(|n| {
                let count = SHOTS_PER_VIDEO
                    .min(shots.saturating_sub(n * SHOTS_PER_VIDEO))
                    .max(1);
                made += count;
                video(&mut rng, n, count)
            })
            .collect();
        number += batch.len();
        library.index_shots(batch)?;
    }
    let build_s = started.elapsed().as_secs_f64();
    drop(library);
    let opened = Instant::now();
    let library = Library::open(folder)?;
    let open_s = opened.elapsed().as_secs_f64();
    let mix = queries(&mut rng, queries_n, videos);
    for (_, q) in mix.iter().take(20) {
        library.search(q)?;
    }
    let mut by_kind: BTreeMap<&str, (Vec<f64>, usize)> = BTreeMap::new();
    let mut all = Vec::with_capacity(mix.len());
    for (kind, q) in &mix {
        let t = Instant::now();
        let hits = library.search(q)?.hits.len();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        all.push(ms);
        let entry = by_kind.entry(kind).or_default();
        entry.0.push(ms);
        entry.1 += hits;
    }
    all.sort_by(f64::total_cmp);
    let kinds = by_kind
        .into_iter()
        .map(|(kind, (mut ms, hits))| {
            ms.sort_by(f64::total_cmp);
            QueryKindFigures {
                kind: kind.to_string(),
                queries: ms.len(),
                p50_ms: percentile(&ms, 0.5),
                p99_ms: percentile(&ms, 0.99),
                mean_hits: hits as f64 / ms.len().max(1) as f64,
            }
        })
        .collect();
    Ok(SearchBench {
        shots: made,
        videos,
        build_s,
        open_s,
        queries: all.len(),
        p50_ms: percentile(&all, 0.5),
        p99_ms: percentile(&all, 0.99),
        max_ms: all.last().copied().unwrap_or(0.0),
        kinds,
    })
}
