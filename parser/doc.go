// Package parser reads TICKscript, the pipeline language of Kapacitor, into an
// abstract syntax tree.
//
// ParseFile turns a script into a *Script; ParseExpr parses a lone expression
// such as the body of a lambda supplied at define time. The lexer follows
// Kapacitor's: '*' and '/' mean multiplication and division after an operand
// and the star literal and a regex elsewhere, a leading 0 makes an integer
// octal, and "lambda" is a keyword only right before ':'. Every node knows
// its source range as compact Pos offsets that a *File resolves to
// "file.tick:LINE:COL".
//
// Syntax errors are collected, not thrown: the parser recovers at statement
// boundaries and returns every error as a sorted ErrorList of Diagnostics,
// which later stages reuse for their own reports (Render adds a caret
// snippet of the source line).
//
// Check runs the semantic checks that need no pipeline model (immutable vars,
// undefined identifiers, var types). Format prints a script in the canonical
// layout of Kapacitor's tickfmt, keeping its comments; Equal compares trees
// modulo what Format may change; Inspect walks a tree; Dump lists a tree for
// golden tests.
package parser
