//! Job control and signals through the real binary in a pseudo-terminal, on the embedded demo:
//! Ctrl-Z and SIGTSTP hand the terminal back to the shell and stop, `fg` repaints the whole
//! screen and what was typed meanwhile cannot act, SIGINT and SIGQUIT leave the terminal as
//! they found it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod kit;

use kit::pty::{Session, assert_restored, eventually, kill, onwatch_child, proc_stat};

/// `onwatch demo` started from an interactive bash, its first frame drawn; its pid.
fn demo_under_bash() -> (Session, u32) {
    let mut s = Session::shell();
    let shell = s.pid.expect("bash pid");
    s.send(b"\"$ONWATCH\" demo\r");
    s.wait_for(&["\x1b[?1049h", "Alerts", "Logs"]);
    let pid = eventually("onwatch under bash", || onwatch_child(shell));
    (s, pid)
}

fn state(pid: u32) -> char {
    proc_stat(pid).expect("onwatch is alive").0
}

/// Stopped: the terminal handed back (alternate screen left, cursor shown), the process in
/// state T, bash at its prompt again; then `fg` brings the whole screen back.
fn assert_stops_and_fg_repaints(s: &mut Session, pid: u32, mark: usize) {
    s.wait_for_from(mark, &["\x1b[?1049l", "\x1b[?25h", "Stopped"]);
    eventually("state T", || (state(pid) == 'T').then_some(()));
    let mark = s.output.len();
    s.send(b"fg\r");
    // The pane titles never change, so a diff would not write them: seeing them again after
    // the alternate screen is entered anew means every cell was written.
    s.wait_for_from(mark, &["\x1b[?1049h", "SLO", "Alerts", "Logs"]);
    assert_ne!(state(pid), 'T', "running again");
}

/// Ends onwatch and then bash.
fn finish(mut s: Session, pid: u32) {
    kill("TERM", pid);
    eventually("onwatch to exit", || {
        proc_stat(pid).is_none_or(|(st, _)| st == 'Z').then_some(())
    });
    s.send(b"exit\r");
    s.wait_exit();
}

#[test]
fn ctrl_z_stops_under_bash_and_fg_repaints_the_whole_screen() {
    let (mut s, pid) = demo_under_bash();
    let mark = s.output.len();
    s.send(&[0x1a]);
    assert_stops_and_fg_repaints(&mut s, pid, mark);
    finish(s, pid);
}

#[test]
fn sigtstp_from_outside_stops_like_ctrl_z() {
    let (mut s, pid) = demo_under_bash();
    let mark = s.output.len();
    kill("TSTP", pid);
    assert_stops_and_fg_repaints(&mut s, pid, mark);
    finish(s, pid);
}

#[test]
fn what_is_typed_while_stopped_arrives_as_a_paste_that_cannot_act() {
    let (mut s, pid) = demo_under_bash();
    s.send(&[0x1a]);
    s.wait_for(&["Stopped"]);
    eventually("state T", || (state(pid) == 'T').then_some(()));
    // bash runs `sleep` and then `fg` without reading the terminal: what is typed during the
    // sleep is queued for onwatch when it is continued, as type-ahead is.
    let mark = s.output.len();
    s.send(b"sleep 2; fg\r");
    s.wait_for_from(mark, &["fg\r\n"]);
    s.send(b"a\rkubectl get pods\r");
    s.wait_for_from(mark, &["\x1b[?1049h"]);
    s.wait_for_screen(&[
        "pasted text ignored (",
        "chars): an action needs its own keypress",
    ]);
    let screen = s.screen();
    assert!(
        !screen.contains("Tab duration") && !screen.contains("ack pending"),
        "the `a` and Enter neither opened nor posted an ack:\n{screen}"
    );
    finish(s, pid);
}

#[test]
fn ctrl_z_without_a_shell_to_resume_it_does_not_stop() {
    // Alone in its terminal's session, nothing would ever send it SIGCONT.
    let mut s = Session::start(&["demo"]);
    s.wait_for(&["\x1b[?1049h", "Alerts"]);
    let pid = s.pid.unwrap();
    let mark = s.output.len();
    s.send(&[0x1a]);
    s.wait_for_screen(&["no job-control shell would resume onwatch"]);
    assert_ne!(state(pid), 'T');
    assert!(
        !s.text_from(mark).contains("\x1b[?1049l"),
        "kept the screen"
    );
    kill("TERM", pid);
    s.wait_exit();
}

fn signal_restores_and_exits(signal: &str, code: u32) {
    let mut s = Session::start(&["demo"]);
    s.wait_for(&["\x1b[?1049h", "Alerts"]);
    kill(signal, s.pid.unwrap());
    let status = s.wait_exit();
    assert_eq!(status.exit_code(), code, "128 + the signal's number");
    assert_restored(&s.text());
}

#[test]
fn sigint_from_outside_restores_the_terminal_and_exits() {
    signal_restores_and_exits("INT", 130);
}

#[test]
fn sigquit_from_outside_restores_the_terminal_and_exits() {
    signal_restores_and_exits("QUIT", 131);
}

#[test]
fn a_bracketed_paste_does_not_act() {
    let mut s = Session::start(&["demo"]);
    s.wait_for(&["\x1b[?2004h", "Alerts"]);
    // Typed as keys, `a` and Enter would ack the selected alert and `q` would ask to quit.
    s.send(b"\x1b[200~a\rq\x1b[201~");
    s.wait_for_screen(&["pasted text ignored (3 chars)"]);
    let screen = s.screen();
    assert!(
        !screen.contains("Tab duration") && !screen.contains("Quit anyway"),
        "{screen}"
    );
    let pid = s.pid.unwrap();
    kill("TERM", pid);
    s.wait_exit();
}
