package queue

import "go.opentelemetry.io/collector/pdata/plog"

// moveFront removes the first n log records of src, in order, and appends
// them to dst; with a nil dst they are discarded. Resource and scope entries
// it empties are removed from src; ones it splits are copied to dst with
// their attributes, so every moved record keeps its resource and scope.
func moveFront(src plog.ResourceLogsSlice, dst *plog.ResourceLogsSlice, n int) {
	src.RemoveIf(func(rl plog.ResourceLogs) bool {
		if n == 0 {
			return false
		}
		if c := resourceRecords(rl); c <= n {
			n -= c
			if dst != nil {
				rl.MoveTo(dst.AppendEmpty())
			}
			return true
		}
		var drl plog.ResourceLogs
		if dst != nil {
			drl = dst.AppendEmpty()
			rl.Resource().CopyTo(drl.Resource())
			drl.SetSchemaUrl(rl.SchemaUrl())
		}
		rl.ScopeLogs().RemoveIf(func(sl plog.ScopeLogs) bool {
			if n == 0 {
				return false
			}
			if c := sl.LogRecords().Len(); c <= n {
				n -= c
				if dst != nil {
					sl.MoveTo(drl.ScopeLogs().AppendEmpty())
				}
				return true
			}
			var dsl plog.ScopeLogs
			if dst != nil {
				dsl = drl.ScopeLogs().AppendEmpty()
				sl.Scope().CopyTo(dsl.Scope())
				dsl.SetSchemaUrl(sl.SchemaUrl())
			}
			sl.LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
				if n == 0 {
					return false
				}
				n--
				if dst != nil {
					lr.MoveTo(dsl.LogRecords().AppendEmpty())
				}
				return true
			})
			return false
		})
		return false
	})
}

func resourceRecords(rl plog.ResourceLogs) int {
	c := 0
	for _, sl := range rl.ScopeLogs().All() {
		c += sl.LogRecords().Len()
	}
	return c
}

// SplitFront removes the first n log records of ld and returns them as a
// batch of their own, resources and scopes copied along.
func SplitFront(ld plog.Logs, n int) plog.Logs {
	out := plog.NewLogs()
	dst := out.ResourceLogs()
	moveFront(ld.ResourceLogs(), &dst, n)
	return out
}

// DropFront discards the first n log records of ld.
func DropFront(ld plog.Logs, n int) { moveFront(ld.ResourceLogs(), nil, n) }
