package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/affogato-sh/affogato/store/sanitize"
)

// Limits on promotional assets (SPEC 6.4).
const (
	MaxAssetText      = 16 << 10  // bytes of a text asset's body
	MaxAssetFile      = 5 << 20   // bytes of one file asset
	MaxProgramAssets  = 100 << 20 // bytes of all file assets of one program
	maxAssetTitle     = 200       // characters of a title
	maxAssetFilename  = 100       // bytes of a stored file name
	maxAssetsListPage = 1000      // rows per ListAssets call
)

// Asset kinds.
const (
	AssetText = "text"
	AssetFile = "file"
)

// Asset is one promotional material a merchant publishes for the partners
// of a program: a text (social post, email template) whose {link} and
// {code} are filled in per partner, or a file (banner, logo, PDF) served
// over HTTP at /a/SLUG/ID/FILENAME. A file's bytes are stored apart from
// this record.
type Asset struct {
	ID          uint64    `json:"id"`
	Program     string    `json:"program"`
	Title       string    `json:"title"`
	Kind        string    `json:"kind"`
	Body        string    `json:"body,omitempty"`         // text
	Filename    string    `json:"filename,omitempty"`     // file, sanitised
	ContentType string    `json:"content_type,omitempty"` // file, sniffed
	Size        int64     `json:"size,omitempty"`         // file, bytes
	ETag        string    `json:"etag,omitempty"`         // file, quoted
	CreatedBy   uint64    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Filled returns the text asset's body with {link} and {code} replaced by
// one partner's referral link and code.
func (a *Asset) Filled(link, code string) string {
	return strings.NewReplacer("{link}", link, "{code}", code).Replace(a.Body)
}

// InlineImage says whether a browser may show the file in place: PNG, JPEG,
// GIF and WebP images. Everything else is served as an attachment.
func (a *Asset) InlineImage() bool {
	switch a.ContentType {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return true
	}
	return false
}

// AddTextAsset publishes a text asset (merchant). The body is at most 16 KiB
// of UTF-8 text; line breaks and tabs are kept, other control characters
// and escape sequences are refused.
func (s *Store) AddTextAsset(a Actor, slug, title, body string) (*Asset, error) {
	title, body, err := textAsset(title, body)
	if err != nil {
		return nil, fmt.Errorf("add asset to %s: %w", slug, err)
	}
	as := &Asset{Program: slug, Title: title, Kind: AssetText, Body: body, CreatedBy: a.UserID}
	if err := s.putAsset(a, as, nil); err != nil {
		return nil, err
	}
	return as, nil
}

// AddFileAsset publishes a file asset (merchant), reading its bytes from r.
// Permission is checked before anything is read; at most the smaller of
// 5 MiB and the program's remaining 100 MiB is read (plus one byte to tell
// that there is more), never more, and a file over the limit is refused with
// nothing stored. The content type is sniffed from the bytes.
func (s *Store) AddFileAsset(a Actor, slug, title, filename string, r io.Reader) (*Asset, error) {
	title, err := assetTitle(title)
	if err != nil {
		return nil, fmt.Errorf("add asset to %s: %w", slug, err)
	}
	name, err := AssetFilename(filename)
	if err != nil {
		return nil, fmt.Errorf("add asset to %s: %w", slug, err)
	}
	var used int64
	err = s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		used, err = programAssetBytesTx(tx, slug)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("add asset to %s: %w", slug, err)
	}
	limit, quota := int64(MaxAssetFile), false
	if left := int64(MaxProgramAssets) - used; left < limit {
		limit, quota = max(left, 0), true
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("add asset to %s: read the file: %w", slug, err)
	}
	if int64(len(data)) > limit {
		if quota {
			return nil, fmt.Errorf("add asset to %s: %w", slug, invalid("file",
				fmt.Sprintf("the program's files would exceed 100 MiB (%s used); remove an asset first", ByteSize(used))))
		}
		return nil, fmt.Errorf("add asset to %s: %w", slug, invalid("file",
			fmt.Sprintf("%s is over the limit of 5 MiB (5242880 bytes) per file; nothing was stored", name)))
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("add asset to %s: %w", slug, invalid("file", "is empty: send its bytes on stdin (asset add … --file NAME < NAME)"))
	}
	sum := sha256.Sum256(data)
	as := &Asset{Program: slug, Title: title, Kind: AssetFile, Filename: name,
		ContentType: sniffContentType(data), Size: int64(len(data)),
		ETag: `"` + hex.EncodeToString(sum[:16]) + `"`, CreatedBy: a.UserID}
	if err := s.putAsset(a, as, data); err != nil {
		return nil, err
	}
	return as, nil
}

// errAssetQuota is returned inside the write transaction when another
// upload used the program's space meanwhile.
var errAssetQuota = errors.New("the program's files would exceed 100 MiB; remove an asset first")

func (s *Store) putAsset(a Actor, as *Asset, data []byte) error {
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, as.Program); err != nil {
			return err
		}
		if data != nil {
			used, err := programAssetBytesTx(tx, as.Program)
			if err != nil {
				return err
			}
			if used+int64(len(data)) > MaxProgramAssets {
				return invalid("file", errAssetQuota.Error())
			}
		}
		id, err := nextID(tx, bAssets)
		if err != nil {
			return err
		}
		as.ID, as.CreatedAt = id, s.now().UTC()
		if data != nil {
			if err := tx.Bucket(bAssetData).Put(u64(id), data); err != nil {
				return err
			}
		}
		return put(tx.Bucket(bAssets), key(as.Program, id), as)
	})
	if err != nil {
		return fmt.Errorf("add asset to %s: %w", as.Program, err)
	}
	return nil
}

// ValidTextAsset checks a text asset's title and body as typed (the
// merchant's Assets tab), with the rules AddTextAsset applies.
func ValidTextAsset(title, body string) error {
	_, _, err := textAsset(title, body)
	return err
}

// textAsset cleans and checks a text asset: a title, and a body of at
// most 16 KiB of UTF-8 text with line breaks and tabs but no other
// control characters or escape sequences.
func textAsset(title, body string) (string, string, error) {
	title, err := assetTitle(title)
	if err != nil {
		return "", "", err
	}
	body = strings.ReplaceAll(body, "\r\n", "\n")
	switch {
	case strings.TrimSpace(body) == "":
		err = invalid("text", "must not be empty")
	case len(body) > MaxAssetText:
		err = invalid("text", fmt.Sprintf("is %d bytes; a text asset holds at most %d (16 KiB)", len(body), MaxAssetText))
	case !utf8.ValidString(body):
		err = invalid("text", "is not valid UTF-8 text")
	case !sanitize.CleanText(body):
		err = invalid("text", "contains control characters or escape sequences; only plain text, line breaks and tabs are kept")
	}
	return title, body, err
}

// programAssetBytesTx sums the sizes of a program's file assets.
func programAssetBytesTx(tx *bolt.Tx, slug string) (int64, error) {
	var n int64
	var err error
	scanPrefix(tx.Bucket(bAssets), key(slug), false, func(_, v []byte) bool {
		var as Asset
		if err = getBytes(v, &as); err != nil {
			return false
		}
		n += as.Size
		return true
	})
	return n, err
}

// AssetList is a page of a program's assets as the actor may see them.
type AssetList struct {
	Assets []Asset
	// Partner is the actor's approved membership when they see the list as
	// a partner (fill {link} and {code} with it); nil for the merchant.
	Partner *Partner
	// Next is the id to pass as after for the next page; 0 at the end.
	Next uint64
}

// ListAssets lists a program's assets, oldest first, after the id after,
// at most limit (1,000 when 0 or more). Merchants of the program see them
// as stored; its approved partners see them too (with their membership,
// to fill in their link); anyone else gets ErrForbidden.
func (s *Store) ListAssets(a Actor, slug string, after uint64, limit int) (*AssetList, error) {
	if limit <= 0 || limit > maxAssetsListPage {
		limit = maxAssetsListPage
	}
	out := &AssetList{}
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		if out.Partner, err = assetViewerTx(tx, a, slug); err != nil {
			return err
		}
		c := tx.Bucket(bAssets).Cursor()
		prefix := key(slug)
		for k, v := c.Seek(key(slug, after+1)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(out.Assets) == limit {
				out.Next = out.Assets[len(out.Assets)-1].ID
				break
			}
			var as Asset
			if err := getBytes(v, &as); err != nil {
				return err
			}
			out.Assets = append(out.Assets, as)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list assets of %s: %w", slug, err)
	}
	return out, nil
}

// assetViewerTx authorises reading a program's assets: its admins (nil
// partner) and its approved partners (their membership).
func assetViewerTx(tx *bolt.Tx, a Actor, slug string) (*Partner, error) {
	var prog Program
	if err := get(tx.Bucket(bPrograms), []byte(slug), &prog); err != nil {
		return nil, fmt.Errorf("program %q: %w", slug, err)
	}
	if a.Admin || slices.Contains(prog.Admins, a.UserID) {
		return nil, nil
	}
	p, err := membershipTx(tx, a, slug)
	if err != nil {
		return nil, err
	}
	if p.Status != PartnerApproved {
		return nil, fmt.Errorf("your membership of %s is %s; promotional materials are for approved partners: %w", slug, p.Status, ErrForbidden)
	}
	return p, nil
}

// RemoveAsset deletes an asset and its bytes (merchant). Its public URL
// answers 404 from then on.
func (s *Store) RemoveAsset(a Actor, slug string, id uint64) error {
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		k := key(slug, id)
		if tx.Bucket(bAssets).Get(k) == nil {
			return fmt.Errorf("asset %d: %w", id, ErrNotFound)
		}
		if err := tx.Bucket(bAssets).Delete(k); err != nil {
			return err
		}
		return tx.Bucket(bAssetData).Delete(u64(id))
	})
	if err != nil {
		return fmt.Errorf("remove asset %d of %s: %w", id, slug, err)
	}
	return nil
}

// AssetFile reads a file asset and a copy of its bytes for the public HTTP
// route (no permission check: the URL is public). ErrNotFound for an
// unknown program, id, a text asset, or a file name that does not match.
func (s *Store) AssetFile(slug string, id uint64, filename string) (*Asset, []byte, error) {
	var as Asset
	var data []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := get(tx.Bucket(bAssets), key(slug, id), &as); err != nil {
			return err
		}
		if as.Kind != AssetFile || as.Filename != filename {
			return ErrNotFound
		}
		data = bytes.Clone(tx.Bucket(bAssetData).Get(u64(id)))
		if data == nil {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("asset %s/%d: %w", slug, id, err)
	}
	return &as, data, nil
}

// AssetPath is the asset's path on the HTTP listener: /a/SLUG/ID/FILENAME.
func (a *Asset) AssetPath() string {
	return fmt.Sprintf("/a/%s/%d/%s", a.Program, a.ID, a.Filename)
}

func assetTitle(title string) (string, error) {
	title = cleanLine(title)
	if title == "" {
		return "", invalid("title", "must not be empty (--title \"'Banner 728x90'\")")
	}
	if utf8.RuneCountInString(title) > maxAssetTitle {
		return "", invalid("title", fmt.Sprintf("at most %d characters", maxAssetTitle))
	}
	return title, nil
}

// AssetFilename makes a file name safe for the URL path and the
// Content-Disposition header: its base name with every character other
// than A-Z, a-z, 0-9, '.', '_' and '-' turned into '_', no leading dot, at
// most 100 bytes (the extension kept).
func AssetFilename(name string) (string, error) {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.TrimLeft(b.String(), ".")
	if len(out) > maxAssetFilename {
		ext := path.Ext(out)
		if len(ext) > 16 {
			ext = ""
		}
		out = out[:maxAssetFilename-len(ext)] + ext
	}
	if strings.Trim(out, "._-") == "" {
		return "", invalid("file", fmt.Sprintf("%q is not a usable file name; name it like banner.png", name))
	}
	return out, nil
}

// sniffContentType names the bytes' type by their content (the WHATWG
// sniffing rules of net/http), never by the name the uploader chose.
func sniffContentType(data []byte) string {
	ct := http.DetectContentType(data)
	if i := strings.IndexByte(ct, ';'); i >= 0 && !strings.HasPrefix(ct, "text/") {
		ct = strings.TrimSpace(ct[:i])
	}
	return ct
}

// ByteSize renders a size for people: 512 B, 12.3 KiB, 4.0 MiB.
func ByteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return tenths(n, 1<<10) + " KiB"
	default:
		return tenths(n, 1<<20) + " MiB"
	}
}

// tenths is n/unit with one decimal, rounded half up, in integers only.
func tenths(n, unit int64) string {
	t := (n*10 + unit/2) / unit
	return fmt.Sprintf("%d.%d", t/10, t%10)
}
