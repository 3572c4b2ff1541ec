//! Terminal progress bars for long work (hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressStyle};
use seer_core::progress::Progress;
use seer_core::CancelToken;
use std::sync::Mutex;

/// Shows each phase of a task as a bar (known total) or spinner.
pub struct TerminalProgress {
    bar: Mutex<Option<ProgressBar>>,
}

impl TerminalProgress {
    /// A progress display with nothing shown yet.
    pub fn new() -> Self {
        TerminalProgress {
            bar: Mutex::new(None),
        }
    }
}

impl Progress for TerminalProgress {
    fn start(&self, label: &str, total: Option<u64>) {
        let bar = match total {
            // Frames and tiles: show the rate and the time left.
            Some(n) if label.ends_with("(frames)") || label.ends_with("(tiles)") => {
                ProgressBar::new(n).with_style(
                    ProgressStyle::with_template(
                        "{msg:30} [{bar:30}] {pos}/{len} {per_sec:.1} {elapsed} ETA {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                )
            }
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template("{msg:40} [{bar:30}] {pos}/{len} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_message(label.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(old) = slot.replace(bar) {
                old.finish_and_clear();
            }
        }
    }

    fn set(&self, done: u64) {
        if let Ok(slot) = self.bar.lock() {
            if let Some(bar) = slot.as_ref() {
                bar.set_position(done);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}

/// A token that the first Ctrl-C cancels: the running job stops before its
/// next frame, tile or file and leaves no half-written output (a video keeps
/// its finished segments for `--resume`); a second Ctrl-C exits at once.
pub fn cancel_on_ctrl_c() -> CancelToken {
    let token = CancelToken::new();
    let handler = token.clone();
    let installed = ctrlc::set_handler(move || {
        if handler.is_cancelled() {
            std::process::exit(130);
        }
        handler.cancel();
    });
    if let Err(e) = installed {
        tracing::warn!(
            "cannot catch Ctrl-C ({e}); an interrupted run may leave a hidden .partial file"
        );
    }
    token
}
