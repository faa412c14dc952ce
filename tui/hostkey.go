package tui

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// HostKeyFile is the host key's file name inside the data dir.
const HostKeyFile = "ssh_host_ed25519"

// loadHostKey reads the ed25519 host key at path, creating it (mode 0600,
// its public half next to it as path.pub) on first start.
func loadHostKey(path string) (gossh.Signer, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = createHostKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return signer, nil
}

// createHostKey writes a new ed25519 key in OpenSSH format: to a temporary
// file first, then hard-linked into place, so two processes starting at once
// agree on one complete key (the loser reads the winner's).
func createHostKey(path string) ([]byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "affogato host key")
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	data := pem.EncodeToMemory(block)
	tmp, err := os.CreateTemp(dir, ".host-key-*")
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return os.ReadFile(path)
		}
		return nil, fmt.Errorf("create: %w", err)
	}
	if sshPub, err := gossh.NewPublicKey(pub); err == nil {
		// The .pub file is a convenience for known_hosts; failing to write it
		// does not stop the server.
		_ = os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(sshPub), 0o644)
	}
	return data, nil
}
