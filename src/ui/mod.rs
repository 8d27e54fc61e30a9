//! Drawing: a pure function of State and Theme; themes; the terminal guard.
