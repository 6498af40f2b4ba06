package centralextension

import (
	"context"
	"mime"
	"net/http"
	"strconv"

	"go.opentelemetry.io/collector/extension/extensionmiddleware"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/quorate/quorate/quorum/internal/auth"
	"github.com/quorate/quorate/quorum/internal/engine"
)

// GetHTTPHandler wraps the otlp receiver's HTTP handler. confighttp runs
// the authenticator before the middlewares, so the request arrives with the
// agent the authenticator identified; the body has not been read yet, so a
// flood costs no decoding.
func (c *central) GetHTTPHandler(context.Context) (extensionmiddleware.WrapHTTPHandlerFunc, error) {
	return func(_ context.Context, next http.Handler) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			eng := c.Engine()
			if eng == nil {
				writeStatus(w, r, http.StatusServiceUnavailable, nil, engineStopped())
				return
			}
			a, ok := engine.FromContext(r.Context())
			if !ok {
				// No `auth:` on this server: authenticate here.
				var err error
				if a, err = eng.Authenticate(r.Header); err != nil {
					w.Header().Set("WWW-Authenticate", `Bearer realm="quorate"`)
					writeStatus(w, r, http.StatusUnauthorized, nil, engine.StatusUnauthenticated())
					return
				}
				r = r.WithContext(engine.NewContext(r.Context(), a))
			}
			if limited, retryAfter := a.RateLimited(); limited {
				eng.Reject(a.AgentID(), engine.ReasonRateLimited, 1)
				h := http.Header{"Retry-After": {strconv.Itoa(auth.RetryAfterSeconds(retryAfter))}}
				writeStatus(w, r, http.StatusTooManyRequests, h, engine.StatusRateLimited(a.AgentID(), retryAfter))
				return
			}
			next.ServeHTTP(w, r)
		}), nil
	}, nil
}

// GetGRPCServerOptions adds the same check to the otlp receiver's gRPC
// server. configgrpc chains these interceptors after its authenticator.
func (c *central) GetGRPCServerOptions(context.Context) ([]grpc.ServerOption, error) {
	return []grpc.ServerOption{grpc.ChainUnaryInterceptor(c.unaryInterceptor)}, nil
}

func (c *central) unaryInterceptor(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	eng := c.Engine()
	if eng == nil {
		return nil, engineStopped().Err()
	}
	a, ok := engine.FromContext(ctx)
	if !ok {
		md, _ := metadata.FromIncomingContext(ctx)
		var err error
		if a, err = eng.Authenticate(md); err != nil {
			return nil, engine.StatusUnauthenticated().Err()
		}
		ctx = engine.NewContext(ctx, a)
	}
	if limited, retryAfter := a.RateLimited(); limited {
		eng.Reject(a.AgentID(), engine.ReasonRateLimited, 1)
		return nil, engine.StatusRateLimited(a.AgentID(), retryAfter).Err()
	}
	return handler(ctx, req)
}

func engineStopped() *status.Status {
	return status.New(codes.Unavailable, errNotRunning.Error())
}

// writeStatus answers the way the otlp receiver does: a google.rpc.Status
// in the request's encoding (protobuf, else JSON).
func writeStatus(w http.ResponseWriter, r *http.Request, code int, h http.Header, st *status.Status) {
	for k, v := range h {
		w.Header()[k] = v
	}
	var (
		body []byte
		err  error
	)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/x-protobuf" {
		w.Header().Set("Content-Type", "application/x-protobuf")
		body, err = proto.Marshal(st.Proto())
	} else {
		w.Header().Set("Content-Type", "application/json")
		body, err = protojson.Marshal(st.Proto())
	}
	if err != nil {
		http.Error(w, st.Message(), code)
		return
	}
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
