package verify

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/fielderr"
	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/param"
	"github.com/liuhen/liuhen/internal/problem"
)

// queryParams are the query parameters Handler understands.
var queryParams = []string{"format", "rehash", "codes", "skip", "unit", "meeting", "from",
	"to", "backdate_days"}

// Handler serves a verification report for GET requests. Query parameters:
// format (json, the default, csv or table), rehash (true or false), codes
// and skip (Options.Codes and Skip; comma-separated or repeated), unit (org
// unit code, sub-units included), meeting (a meeting id: the decisions
// linked to its agenda items), from and to (2006-01-02 or RFC 3339; a date
// in to includes that whole day), backdate_days (Options.BackdateDays).
// Bad parameters, and parameters given empty (param.WithoutEmpty), get 400
// with a problem document listing each one (RFC 9457 §3).
//
// A rehash reads every segment in scope back from the store, so one runs
// at a time: a request with rehash=true while another runs gets 503 with
// Retry-After, and requests without rehash are not held up.
func Handler(pool *pgxpool.Pool, objects ObjectChecker, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	h := &handler{pool: pool, objects: objects, log: logger.With("component", "verify"),
		rehashing: make(chan struct{}, 1)}
	return http.HandlerFunc(h.serve)
}

type handler struct {
	pool    *pgxpool.Pool
	objects ObjectChecker
	log     *slog.Logger
	// rehashing holds a token while a rehash runs.
	rehashing chan struct{}
}

// retryAfterRehash is the Retry-After, in seconds, of a rehash refused
// because another is running.
const retryAfterRehash = "60"

func (h *handler) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		problem.Write(w, http.StatusMethodNotAllowed, "the verify report is read with GET")
		return
	}
	opts, format, bad := parseRequest(r.URL.RawQuery)
	if bad != nil || opts.Validate() != nil {
		h.refuse(w, r, opts, bad)
		return
	}
	if opts.Rehash && opts.Runs(CodeRecordingTampered) {
		select {
		case h.rehashing <- struct{}{}:
			defer func() { <-h.rehashing }()
		default:
			w.Header().Set("Retry-After", retryAfterRehash)
			problem.Write(w, http.StatusServiceUnavailable, "another request is "+
				"rehashing the evidence store's segments; try again when it has finished, "+
				"or ask without rehash")
			return
		}
	}
	rep, err := Run(r.Context(), h.pool, h.objects, opts)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body bytes.Buffer
	if err := rep.Write(&body, format); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", format.ContentType())
	if format == FormatCSV {
		name := "liuhen-verify-" + rep.GeneratedAt.Format("20060102-150405") + ".csv"
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	_, _ = w.Write(body.Bytes())
}

// refuse answers 400 naming every bad parameter at once: bad, those the
// query could not give, and what Check finds in the options it did give,
// such as a meeting that does not exist beside a bad format.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, opts Options, bad error) {
	err := Check(r.Context(), h.pool, opts)
	if err != nil && !errors.Is(err, ErrInvalidOptions) {
		h.log.Warn("verify: the options could not be looked up in the database", "err", err)
		err = opts.Validate()
	}
	problem.BadRequest(w, fielderr.Problems(errors.Join(bad, err)))
}

// retryAfterStore is the Retry-After, in seconds, of an answer cut off by
// an evidence store that did not answer.
const retryAfterStore = "30"

// fail answers a Run that went wrong: 400 for bad options, 503 when the
// object store is not configured or does not answer or the request's
// bound passed, nothing when the client went away (httpjson.Ended), and
// 500 (logged here, once) for the rest.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httpjson.Ended(w, r, err, h.log) {
		return
	}
	switch {
	case errors.Is(err, ErrInvalidOptions):
		problem.BadRequest(w, fielderr.Problems(err))
	case errors.Is(err, ErrNoObjectChecker):
		problem.Write(w, http.StatusServiceUnavailable, "the object store is not "+
			"configured, so recordings cannot be checked for tampering; ask for codes "+
			"without "+CodeRecordingTampered+", or configure the store")
	case errors.Is(err, ErrStoreUnavailable):
		h.log.Warn("verify stopped: the evidence store did not answer", "err", err)
		w.Header().Set("Retry-After", retryAfterStore)
		problem.Write(w, http.StatusServiceUnavailable, "the evidence store (MinIO) did not "+
			"answer, or refused the server's credentials (the server log has the cause), so "+
			"recordings could not be checked for tampering; try again later, or ask for "+
			"codes without "+CodeRecordingTampered)
	default:
		h.log.Error("verify failed", "err", err)
		problem.Write(w, http.StatusInternalServerError,
			"verification failed on the server; the server log has the cause")
	}
}

// parseRequest reads the query into Options and a format, returning every
// parameter it cannot read, each an *OptionError, joined; the options it
// read are checked apart (Options.Validate, Check).
func parseRequest(rawQuery string) (Options, Format, error) {
	var opts Options
	format := FormatJSON
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return opts, format, &OptionError{Field: "query", Err: ErrBadOption,
			Reason: fmt.Sprintf("cannot read the query string: %v; escape it as a URL "+
				"query", err)}
	}
	var bad []error
	note := func(err error) {
		if err != nil {
			bad = append(bad, err)
		}
	}
	note(checkParams(q))
	q, empty := param.WithoutEmpty(q, queryParams)
	for _, name := range empty {
		bad = append(bad, &OptionError{Field: name, Reason: param.EmptyReason, Err: ErrBadOption})
	}
	if v, ok := single(q, "format", &bad); ok {
		f, err := ParseFormat(v)
		note(err)
		format = f
	}
	if v, ok := single(q, "rehash", &bad); ok {
		opts.Rehash, err = parseBool("rehash", v)
		note(err)
	}
	for _, v := range q["codes"] {
		opts.Codes = append(opts.Codes, ParseCodes(v)...)
	}
	for _, v := range q["skip"] {
		opts.Skip = append(opts.Skip, ParseCodes(v)...)
	}
	opts.Unit, _ = single(q, "unit", &bad)
	if v, ok := single(q, "meeting", &bad); ok {
		opts.Meeting, err = parseMeeting(v)
		note(err)
	}
	if v, ok := single(q, "from", &bad); ok {
		opts.From, err = ParseFrom(v)
		note(plusHint(v, err))
	}
	if v, ok := single(q, "to", &bad); ok {
		opts.To, err = ParseTo(v)
		note(plusHint(v, err))
	}
	if v, ok := single(q, "backdate_days", &bad); ok {
		opts.BackdateDays, err = parseDays(v)
		note(err)
	}
	return opts, format, errors.Join(bad...)
}

// plusHint adds to the error of a time that did not parse, when it holds a
// space, that a + in a URL query arrives as a space: the zone +08:00 of
// from=2026-01-01T00:00:00+08:00 reads as " 08:00", and the reason alone
// would ask for the + the caller wrote.
func plusHint(v string, err error) error {
	var oe *OptionError
	if err == nil || !strings.Contains(strings.TrimSpace(v), " ") || !errors.As(err, &oe) ||
		errors.Is(err, ErrBadYear) {
		return err
	}
	hinted := *oe
	hinted.Reason += "; a + in a URL query is read as a space: write it as %2B"
	return &hinted
}

// checkParams rejects parameters Handler does not know, so a misspelt
// filter cannot silently widen the report.
func checkParams(q url.Values) error {
	var errs []error
	for _, fe := range param.Unknown(q, queryParams) {
		errs = append(errs, &OptionError{Field: fe.Field, Err: ErrBadOption, Reason: fe.Reason})
	}
	return errors.Join(errs...)
}

// single returns the one value of parameter name; a parameter given twice
// is noted as bad.
func single(q url.Values, name string, bad *[]error) (string, bool) {
	vs := q[name]
	switch len(vs) {
	case 0:
		return "", false
	case 1:
		return vs[0], true
	}
	*bad = append(*bad, &OptionError{Field: name, Err: ErrBadOption,
		Reason: param.RepeatedReason(len(vs))})
	return "", false
}

func parseBool(name, v string) (bool, error) {
	b, err := param.Bool(v)
	if err != nil {
		return false, &OptionError{Field: name, Err: ErrBadOption, Reason: err.Error()}
	}
	return b, nil
}

// parseMeeting reads meeting, decimal digits with an optional sign and
// nothing around them, as the command line's --meeting; the sign is checked
// with the other options.
func parseMeeting(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, &OptionError{Field: "meeting", Err: ErrUnknownMeeting,
			Reason: fmt.Sprintf("cannot read %q as a meeting id; give a whole number such "+
				"as 42", v)}
	}
	return n, nil
}

// parseDays reads backdate_days as parseMeeting reads meeting; its range
// is checked with the other options.
func parseDays(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, &OptionError{Field: "backdate_days", Err: ErrBadOption,
			Reason: fmt.Sprintf("cannot read %q as a whole number of days; give e.g. 30", v)}
	}
	return n, nil
}
