//! Man pages and shell completions, generated from the clap definitions
//! (`crate::command()`) so they never disagree with `--help`. The
//! checked-in copies live in `man/` and `completions/`; regenerate them
//! with `cargo run --example gen-docs` (a test fails when they are stale).

use certkit_core::error::{Error, Result};
use clap_complete::Shell;
use roff::{roman, Roff};
use std::path::{Path, PathBuf};

/// The exit status section every man page carries.
const EXIT_STATUS: &str = "\
0  success
1  error: one line on stderr says what went wrong and in which file or field
2  usage error: an unknown flag, a missing argument (as Go's flag package)
These codes are stable across certkit versions.";

/// Every generated file: its path relative to the repository and contents.
pub fn render_all() -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut cmd = crate::command().disable_help_subcommand(true);
    cmd.build();
    let mut files = Vec::new();
    man_pages(&cmd, &mut files)?;
    for (shell, name) in [
        (Shell::Bash, "certkit.bash"),
        (Shell::Zsh, "_certkit"),
        (Shell::Fish, "certkit.fish"),
    ] {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut cmd.clone(), "certkit", &mut out);
        files.push((Path::new("completions").join(name), out));
    }
    Ok(files)
}

/// Writes every generated file under `root` (the repository).
pub fn write_all(root: &Path) -> Result<()> {
    for (path, contents) in render_all()? {
        let path = root.join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        certkit_files::atomic::write_atomic(&path, &contents, 0o644)?;
    }
    Ok(())
}

fn man_pages(cmd: &clap::Command, files: &mut Vec<(PathBuf, Vec<u8>)>) -> Result<()> {
    let page = man_page(cmd).map_err(|e| Error::io("man page", e))?;
    let name = cmd.get_display_name().unwrap_or(cmd.get_name());
    files.push((Path::new("man").join(format!("{name}.1")), page));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_pages(sub, files)?;
    }
    Ok(())
}

/// One page: clap_mangen's standard sections, then the after-help text
/// split into its own sections (EXAMPLES, FILES, ...) and EXIT STATUS.
fn man_page(cmd: &clap::Command) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone())
        .manual("certkit")
        .source(format!("certkit {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut out)?;
    }
    let after = cmd
        .get_after_help()
        .map(|h| h.to_string())
        .unwrap_or_default();
    let mut sections = after_help_sections(&after);
    if !sections.iter().any(|(title, _)| title == "EXIT STATUS") {
        sections.push(("EXIT STATUS".into(), EXIT_STATUS.into()));
    }
    let mut roff = Roff::new();
    for (title, body) in &sections {
        roff.control("SH", [title.as_str()]);
        roff.control("nf", []);
        roff.text([roman(body.as_str())]);
        roff.control("fi", []);
    }
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// Splits after-help text at its `HEADING:` lines (capitals, at column 0).
fn after_help_sections(text: &str) -> Vec<(String, String)> {
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let heading = line
            .strip_suffix(':')
            .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_uppercase() || c == ' '));
        match (heading, sections.last_mut()) {
            (Some(h), _) => sections.push((h.to_string(), String::new())),
            (None, Some((_, body))) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => sections.push(("NOTES".into(), format!("{line}\n"))),
        }
    }
    for (_, body) in &mut sections {
        *body = body.trim_matches('\n').to_string();
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_help_splits_at_headings() {
        let s = after_help_sections("EXAMPLES:\n  a\n    b\n\nEXIT STATUS:\n  0 ok\n");
        assert_eq!(
            s,
            [
                ("EXAMPLES".to_string(), "  a\n    b".to_string()),
                ("EXIT STATUS".to_string(), "  0 ok".to_string())
            ]
        );
    }

    #[test]
    fn every_page_documents_exit_codes() {
        let files = render_all().unwrap();
        let pages: Vec<_> = files.iter().filter(|(p, _)| p.starts_with("man")).collect();
        assert!(pages.len() > 5, "{}", pages.len());
        for (path, page) in pages {
            let page = String::from_utf8_lossy(page);
            assert!(page.contains(".SH \"EXIT STATUS\""), "{}", path.display());
            assert!(page.contains("usage error"), "{}", path.display());
        }
    }
}
