package monitoring

import (
	"testing"
	"time"
)

func TestInMaintenance(t *testing.T) {
	yaml := `
maintenance:
  start: "23:00"
  duration: 2h
  timezone: Europe/Amsterdam
  every: [Monday]
endpoints:
  - name: api
    url: http://127.0.0.1
    conditions: ["[STATUS] == 200"]
    maintenance-windows:
      - start: "12:00"
        duration: 30m
      - enabled: false
        start: "00:00"
        duration: 24h
  - name: web
    url: http://127.0.0.1
    conditions: ["[STATUS] == 200"]
`
	cfg, err := parse([]byte(yaml), lookupIn(nil))
	if err != nil {
		t.Fatal(err)
	}
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	// 2025-06-02 is a Monday; Amsterdam is UTC+2 then.
	at := func(day, hour, minute int) time.Time { return time.Date(2025, 6, day, hour, minute, 0, 0, ams) }
	tests := []struct {
		name string
		key  string
		t    time.Time
		want bool
	}{
		{name: "global window covers monday night", key: "_web", t: at(2, 23, 30), want: true},
		{name: "global window starts at its first instant", key: "_web", t: at(2, 23, 0), want: true},
		{name: "global window not yet started", key: "_web", t: at(2, 22, 59), want: false},
		{name: "global window crosses midnight into tuesday", key: "_web", t: at(3, 0, 59), want: true},
		{name: "global window ends exclusively", key: "_web", t: at(3, 1, 0), want: false},
		{name: "global window does not start on tuesday", key: "_web", t: at(3, 23, 30), want: false},
		{name: "global window is read in its own zone", key: "_web", t: at(2, 23, 30).UTC(), want: true},
		{name: "global window applies to every endpoint", key: "_api", t: at(2, 23, 30), want: true},
		{name: "endpoint window applies daily in utc", key: "_api", t: time.Date(2025, 6, 4, 12, 15, 0, 0, time.UTC), want: true},
		{name: "endpoint window does not apply to others", key: "_web", t: time.Date(2025, 6, 4, 12, 15, 0, 0, time.UTC), want: false},
		{name: "disabled endpoint window never applies", key: "_api", t: time.Date(2025, 6, 4, 8, 0, 0, 0, time.UTC), want: false},
		{name: "unknown endpoint sees the global window", key: "nope", t: at(2, 23, 30), want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cfg.InMaintenance(tt.key, tt.t); got != tt.want {
				t.Errorf("InMaintenance(%s, %s) = %v, want %v", tt.key, tt.t, got, tt.want)
			}
		})
	}
}

func TestWindowKeepsWallClockAcrossDST(t *testing.T) {
	w, err := decodeMaintenance(map[string]any{"start": "06:00", "duration": "1h", "timezone": "Europe/Berlin"}, where{path: "maintenance"})
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// 2025-03-30 is the day clocks move forward in Berlin.
	for _, day := range []int{29, 30, 31} {
		if !w.Active(time.Date(2025, 3, day, 6, 30, 0, 0, berlin)) {
			t.Errorf("06:30 local on March %d is outside the 06:00 window", day)
		}
		if w.Active(time.Date(2025, 3, day, 7, 30, 0, 0, berlin)) {
			t.Errorf("07:30 local on March %d is inside the 06:00 window", day)
		}
	}
}

func TestNoMaintenanceWithoutWindows(t *testing.T) {
	cfg, err := parse([]byte(oneEndpoint+twoAgents), lookupIn(testEnv))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.InMaintenance("_api", time.Now()) {
		t.Error("in maintenance without any window")
	}
}
