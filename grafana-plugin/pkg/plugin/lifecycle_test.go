package plugin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quorate/quorate/grafana-plugin/pkg/plugin"
	"github.com/quorate/quorate/grafana-plugin/pkg/plugintest"
	"github.com/quorate/quorate/internal/store/testpg"
)

// The password goes to the database and nowhere else: not in the
// plugin's log, not in answers, whatever happens.
func TestThePasswordIsNeverLoggedNorAnswered(t *testing.T) {
	const pw = "Quorate-Secret-Pw-7391"
	s, ds := plugintest.Postgres(t)
	plugintest.Seed(t, s)
	ds.Secure = map[string]string{"password": pw} // trust auth: accepted, unused
	unreachable := plugintest.DataSource{
		JSONData: map[string]any{"driver": "postgres", "host": "127.0.0.1:1", "database": "quorate", "user": "grafana", "sslMode": "disable"},
		Secure:   map[string]string{"password": pw},
	}
	badSettings := plugintest.DataSource{JSONData: map[string]any{"driver": "postgres", "sslMode": "nope"}, Secure: map[string]string{"password": pw}}
	p := plugintest.Start(t)
	ctx := context.Background()
	var answers []string
	for _, d := range []plugintest.DataSource{ds, unreachable, badSettings} {
		h, err := p.CheckHealth(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, h.Message)
		for _, qt := range plugin.QueryTypes {
			res := p.Query(t, d, plugintest.NewQuery("A", map[string]any{"queryType": qt}, plugintest.SeedFrom, plugintest.SeedTo))
			if res.Error != nil {
				answers = append(answers, res.Error.Error())
			}
			for _, f := range res.Frames {
				b, err := f.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				answers = append(answers, string(b))
			}
		}
	}
	if len(answers) < 3*len(plugin.QueryTypes) {
		t.Fatalf("only %d answers; the test would prove little", len(answers))
	}
	for _, a := range answers {
		if strings.Contains(a, pw) {
			t.Errorf("an answer holds the password: %s", a)
		}
	}
	logs := p.Logs()
	if !strings.Contains(logs, "Quorate data source configured") || !strings.Contains(logs, "Cannot reach") && !strings.Contains(logs, "queryType") {
		t.Fatalf("the plugin's log was not captured; the test would prove nothing:\n%s", logs)
	}
	if strings.Contains(logs, pw) {
		t.Errorf("the plugin's log holds the password:\n%s", logs)
	}
}

// When Grafana replaces a data source's settings, the plugin disposes of
// the old instance (after the SDK's short grace period) and its pool
// closes its connections.
func TestChangedSettingsCloseTheOldPool(t *testing.T) {
	_, pgDS := plugintest.Postgres(t)
	_, sqliteDS := plugintest.SQLite(t)
	conn := testpg.Conn(t, testpg.BaseDSN(t)) // pg_stat_activity is server-wide
	p := plugintest.Start(t)
	const uid = "dispose-test"
	app := "grafana " + plugin.ID + " " + uid
	count := func() int {
		var n int
		if err := conn.QueryRow(context.Background(), `SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	q := plugintest.NewQuery("A", map[string]any{"queryType": "agents"}, plugintest.SeedFrom, plugintest.SeedTo)
	pgDS.UID, pgDS.Updated = uid, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if res := p.Query(t, pgDS, q); res.Error != nil {
		t.Fatal(res.Error)
	}
	if n := count(); n < 1 {
		t.Fatalf("%d connections named %q after a query; want the pool's idle one", n, app)
	}
	// The same data source, now on SQLite: a new instance; the old one
	// is disposed of.
	sqliteDS.UID, sqliteDS.Updated = uid, pgDS.Updated.Add(time.Minute)
	if res := p.Query(t, sqliteDS, q); res.Error != nil {
		t.Fatal(res.Error)
	}
	deadline := time.Now().Add(time.Minute)
	for count() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the old instance's connections are still open a minute after its settings changed")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
