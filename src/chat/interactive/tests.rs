//! Unit tests of the interactive readers and answers.
