package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Option is one value of a template variable.
type Option struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// CallResource serves the lists template variables use: GET endpoints
// ([{text: name, value: key}]) and GET agents ([{text: name or id,
// value: id}]). Errors are {"error": "..."}.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	path := strings.Trim(req.Path, "/")
	if path != "endpoints" && path != "agents" {
		return sendJSON(sender, http.StatusNotFound, errorBody(fmt.Sprintf("resource %q does not exist; use endpoints or agents", req.Path)))
	}
	if req.Method != http.MethodGet {
		return sendJSON(sender, http.StatusMethodNotAllowed, errorBody(fmt.Sprintf("%s %s: only GET is supported", req.Method, path)))
	}
	r, err := d.store(ctx)
	if err != nil {
		return sendJSON(sender, http.StatusBadGateway, errorBody(err.Error()))
	}
	options := []Option{}
	if path == "endpoints" {
		eps, err := r.Endpoints(ctx, nil)
		if err != nil {
			return sendJSON(sender, http.StatusBadGateway, errorBody(err.Error()))
		}
		for _, e := range eps {
			options = append(options, Option{Text: e.Name, Value: e.Key})
		}
	} else {
		agents, err := r.Agents(ctx, nil)
		if err != nil {
			return sendJSON(sender, http.StatusBadGateway, errorBody(err.Error()))
		}
		for _, a := range agents {
			text := a.Name
			if text == "" {
				text = a.ID
			}
			options = append(options, Option{Text: text, Value: a.ID})
		}
	}
	return sendJSON(sender, http.StatusOK, options)
}

func errorBody(msg string) map[string]string { return map[string]string{"error": msg} }

func sendJSON(sender backend.CallResourceResponseSender, status int, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode resource response: %w", err)
	}
	return sender.Send(&backend.CallResourceResponse{
		Status:  status,
		Headers: map[string][]string{"Content-Type": {"application/json"}},
		Body:    b,
	})
}
