package store

import (
	"strconv"
	"strings"
)

// where builds a WHERE clause with $N placeholders, numbered in the order the
// conditions are added.
type where struct {
	conds []string
	args  []any
}

// add appends a condition whose "?" marks are replaced by the next
// placeholders, one per argument.
func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	i := 0
	for _, r := range cond {
		if r == '?' && i < len(args) {
			w.args = append(w.args, args[i])
			b.WriteString("$" + strconv.Itoa(len(w.args)))
			i++
			continue
		}
		b.WriteRune(r)
	}
	w.conds = append(w.conds, b.String())
}

// in appends "col IN (...)" for a non-empty list.
func (w *where) in(col string, vals []any) {
	if len(vals) == 0 {
		return
	}
	w.add(col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")", vals...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// next is the placeholder that the next argument will get.
func (w *where) next() string { return "$" + strconv.Itoa(len(w.args)+1) }
