package monitoring

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones even where the host has no zoneinfo, as Gatus does
)

// Maintenance is a recurring window during which alerts are suppressed
// (probing goes on). It has Gatus's shape; see the package comment.
type Maintenance struct {
	Enabled  bool
	Start    string        // hh:mm in Timezone
	Duration time.Duration // at most 24h
	Timezone string        // IANA name; UTC when empty
	Every    []string      // weekdays on which a window starts; every day when empty

	startOffset time.Duration
	loc         *time.Location
	days        [7]bool // indexed by time.Weekday
}

type maintenanceYAML struct {
	Enabled  *bool         `mapstructure:"enabled"`
	Start    string        `mapstructure:"start"`
	Duration time.Duration `mapstructure:"duration"`
	Timezone string        `mapstructure:"timezone"`
	Every    []string      `mapstructure:"every"`
}

var weekdayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// decodeMaintenance reads and checks one window. Like Gatus, a disabled
// window is not checked further.
func decodeMaintenance(raw any, w where) (*Maintenance, error) {
	var y maintenanceYAML
	if err := decodeStrict(raw, &y, w); err != nil {
		return nil, err
	}
	m := &Maintenance{
		Enabled:  y.Enabled == nil || *y.Enabled,
		Start:    y.Start,
		Duration: y.Duration,
		Timezone: y.Timezone,
		Every:    y.Every,
	}
	if !m.Enabled {
		return m, nil
	}
	var errs []error
	offset, err := parseHHMM(y.Start)
	if err != nil {
		errs = append(errs, w.errorf("start", "%v", err))
	}
	m.startOffset = offset
	if y.Duration <= 0 || y.Duration > 24*time.Hour {
		errs = append(errs, w.errorf("duration", "%s must be more than 0 and at most 24h, e.g. duration: 1h", y.Duration))
	}
	m.loc = time.UTC
	if y.Timezone == "" {
		m.Timezone = "UTC"
	} else if loc, err := time.LoadLocation(y.Timezone); err != nil {
		errs = append(errs, w.errorf("timezone", "%q is not an IANA time zone, e.g. Europe/Berlin or America/Sao_Paulo", y.Timezone))
	} else {
		m.loc = loc
	}
	for i, day := range y.Every {
		d := slices.Index(weekdayNames, day)
		if d < 0 {
			errs = append(errs, w.errorf(fmt.Sprintf("every[%d]", i), "%q is not a day; use one of %s", day, strings.Join(weekdayNames, ", ")))
			continue
		}
		m.days[d] = true
	}
	if len(y.Every) == 0 {
		m.days = [7]bool{true, true, true, true, true, true, true}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// parseHHMM reads Gatus's start format: two-digit hours and minutes.
func parseHHMM(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q must be hh:mm between 00:00 and 23:59, e.g. start: 23:00", s)
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	h, errH := strconv.Atoi(s[:2])
	m, errM := strconv.Atoi(s[3:])
	if errH != nil || errM != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, bad
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// Active reports whether t falls inside a window: one that starts on a
// scheduled day at Start (local time of the zone) and lasts Duration.
// Windows may cross midnight, so the one that started yesterday counts.
func (m *Maintenance) Active(t time.Time) bool {
	if m == nil || !m.Enabled || m.loc == nil {
		return false
	}
	local := t.In(m.loc)
	y, mo, d := local.Date()
	for back := 0; back <= 1; back++ {
		day := time.Date(y, mo, d-back, 0, 0, 0, 0, m.loc)
		if !m.days[day.Weekday()] {
			continue
		}
		// Wall-clock start, so a window keeps its local time across DST.
		start := time.Date(y, mo, d-back, int(m.startOffset/time.Hour), int(m.startOffset%time.Hour/time.Minute), 0, 0, m.loc)
		if !t.Before(start) && t.Before(start.Add(m.Duration)) {
			return true
		}
	}
	return false
}
