package store

import (
	"net"
	"strings"
)

// SSHCommand is the ssh command that reaches a server at hostport
// (HOST:PORT; a bare HOST means port 22), as user when user is set:
// "ssh -p 23234 acme@host", "ssh host" on port 22, an IPv6 host in
// brackets. Every hint the dashboard, the commands and the emails print
// comes from here.
func SSHCommand(hostport, user string) string {
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		h, p = hostport, "22"
	}
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if user != "" {
		h = user + "@" + h
	}
	if p == "22" || p == "" {
		return "ssh " + h
	}
	return "ssh -p " + p + " " + h
}
