package tracker

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/affogato-sh/affogato/store"
)

// registerOutbox adds the outbox depth to the metrics: events (webhooks and
// mails) written but not delivered yet, read from the store at scrape time.
// A depth that keeps growing means an endpoint or the mail server is down.
func (m *metrics) registerOutbox(st *store.Store) {
	if st == nil {
		return
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "affogato_outbox_pending",
		Help: "Outgoing webhook deliveries and emails waiting for delivery (including retries).",
	}, func() float64 {
		n, err := st.PendingMessages()
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}
