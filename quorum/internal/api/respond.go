package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"go.uber.org/zap"
)

// ErrorResponse is the body of every error.
type ErrorResponse struct {
	Error string `json:"error"`
}

// writeJSON writes v with the status. Encoding happens before the header
// is sent, so a failure still yields a clean 500.
func (h *handler) writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		h.logger.Error("Encoding an API response failed", zap.Error(err))
		status = http.StatusInternalServerError
		body = []byte(`{"error":"internal error: encoding the response failed"}`)
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	// A write error means the client went away; nothing is left to do.
	_, _ = w.Write(append(body, '\n'))
}

func (h *handler) writeError(w http.ResponseWriter, status int, msg string) {
	h.writeJSON(w, status, ErrorResponse{Error: msg})
}
