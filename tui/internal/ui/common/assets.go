package common

import (
	"context"

	"github.com/affogato-sh/affogato/store"
)

// Assets reads one page of a program's promotional materials (after id
// after), as the actor may see them.
func (d *Data) Assets(_ context.Context, slug string, after uint64, limit int) (*store.AssetList, error) {
	return d.st.ListAssets(d.a, slug, after, limit)
}

// AddTextAsset publishes a text asset (merchant).
func (d *Data) AddTextAsset(slug, title, body string) (*store.Asset, error) {
	defer d.Saw()
	return d.st.AddTextAsset(d.a, slug, title, body)
}

// RemoveAsset removes an asset (merchant).
func (d *Data) RemoveAsset(slug string, id uint64) error {
	defer d.Saw()
	return d.st.RemoveAsset(d.a, slug, id)
}
