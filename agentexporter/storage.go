package agentexporter

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/quorate/quorate/agentexporter/internal/spill"
)

// openStorage puts the storage extension's client behind the memory queue;
// what a previous run left there is sent first.
func (e *agentExporter) openStorage(ctx context.Context, host component.Host) error {
	id := *e.cfg.Storage
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return fmt.Errorf("agent exporter: storage %q is not an extension of this collector; add it to extensions: and service.extensions", id.String())
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return fmt.Errorf("agent exporter: storage %q is not a storage extension (file_storage is one)", id.String())
	}
	client, err := se.GetClient(ctx, component.KindExporter, e.set.ID, "queue")
	if err != nil {
		return fmt.Errorf("agent exporter: storage %q: %w", id.String(), err)
	}
	disk, err := spill.Open(ctx, client)
	if err != nil {
		_ = client.Close(ctx)
		return fmt.Errorf("agent exporter: storage %q: %w", id.String(), err)
	}
	e.storage = client
	e.backlog.attachDisk(disk, e.cfg.SpillSize)
	return nil
}

func (e *agentExporter) closeStorage() {
	if e.storage == nil {
		return
	}
	if err := e.storage.Close(context.Background()); err != nil {
		e.logger.Warn("Agent exporter: closing the storage client", zap.Error(err))
	}
	e.storage = nil
}
