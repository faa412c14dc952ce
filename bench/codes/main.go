// Command codes prints the referral codes of a stopped affogato database,
// one a line, for load tests over a seeded database (bench/rss.sh).
package main

import (
	"flag"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

func main() {
	path := flag.String("db", "", "the affogato.db file (read-only; the server must not hold it)")
	flag.Parse()
	if err := run(*path); err != nil {
		fmt.Fprintln(os.Stderr, "codes:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("links"))
		if b == nil {
			return fmt.Errorf("%s has no links bucket", path)
		}
		return b.ForEach(func(k, _ []byte) error {
			_, err := fmt.Println(string(k))
			return err
		})
	})
}
