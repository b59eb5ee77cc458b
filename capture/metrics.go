package capture

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts what the recorder does, for Prometheus.
type Metrics struct {
	LiveSessions   prometheus.Gauge
	SegmentsStored prometheus.Counter
	BytesStored    prometheus.Counter
	UploadFailures prometheus.Counter
	PendingUploads prometheus.Gauge
	// SpoolBytes, SpoolFull and SegmentsUnstorable make spool trouble loud
	// (see spoolUsage and archiver).
	SpoolBytes         prometheus.Gauge
	SpoolFull          prometheus.Counter
	SegmentsUnstorable prometheus.Counter
}

// NewMetrics creates the recorder's metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		LiveSessions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "liuhen_live_sessions",
			Help: "Publisher sessions being recorded now.",
		}),
		SegmentsStored: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "liuhen_segments_stored_total",
			Help: "Segments stored in the evidence store and catalogued.",
		}),
		BytesStored: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "liuhen_bytes_stored_total",
			Help: "Bytes of segments stored in the evidence store.",
		}),
		UploadFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "liuhen_upload_failures_total",
			Help: "Failed attempts to store a segment; each is retried.",
		}),
		PendingUploads: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "liuhen_pending_uploads",
			Help: "Finished segments waiting in the local spool to be stored.",
		}),
		SpoolBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "liuhen_spool_bytes",
			Help: "Bytes of segment files in the local spool, not yet stored.",
		}),
		SpoolFull: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "liuhen_spool_full_total",
			Help: "Times the spool reached LIUHEN_SPOOL_MAX_BYTES: a session ended " +
				"interrupted, or a publisher was refused.",
		}),
		SegmentsUnstorable: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "liuhen_segments_unstorable_total",
			Help: "Segments set aside in the spool because no retry can store them.",
		}),
	}
	reg.MustRegister(m.LiveSessions, m.SegmentsStored, m.BytesStored,
		m.UploadFailures, m.PendingUploads, m.SpoolBytes, m.SpoolFull, m.SegmentsUnstorable)
	return m
}
