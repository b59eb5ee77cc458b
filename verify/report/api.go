package report

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/internal/fielderr"
	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/param"
	"github.com/liuhen/liuhen/internal/problem"
	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
)

// maxBodyBytes bounds the body of POST /reports.
const maxBodyBytes = 64 << 10

// IssuedByAPI is who issued a report asked for through POST /reports: the
// holder of the admin token, whom nothing names until there are accounts.
const IssuedByAPI = "api (admin token)"

// API serves issued reports: GET /reports lists them (unit, limit,
// offset; one given empty or more than once is refused, as is a unit code
// Issuer.List does not know), POST /reports issues one on demand, GET /reports/{id} gives
// one with a link to read it. The caller puts it behind authentication;
// who may use it is the caller's choice.
type API struct {
	issuer *Issuer
	logger *slog.Logger
}

// NewAPI returns the API of is.
func NewAPI(is *Issuer, logger *slog.Logger) *API {
	return &API{issuer: is, logger: logger.With("component", "report-api")}
}

// Register adds the API's routes to r, the router of /api/v1.
func (a *API) Register(r chi.Router) {
	r.Get("/reports", a.list)
	r.Post("/reports", a.issue)
	r.Get("/reports/{id}", a.get)
}

// listParams are the query parameters of GET /reports.
var listParams = []string{"unit", "limit", "offset"}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	bad := param.Unknown(r.URL.Query(), listParams)
	q, empty := param.WithoutEmpty(r.URL.Query(), listParams)
	for _, name := range empty {
		bad = append(bad, problem.FieldError{Field: name, Reason: param.EmptyReason})
	}
	q, repeated := param.WithoutRepeated(q, listParams)
	bad = append(bad, repeated...)
	limit, err := param.Limit(q.Get("limit"), param.DefaultLimit, param.MaxLimit)
	if err != nil {
		bad = append(bad, problem.FieldError{Field: "limit", Reason: err.Error()})
	}
	offset, err := param.Offset(q.Get("offset"))
	if err != nil {
		bad = append(bad, problem.FieldError{Field: "offset", Reason: err.Error()})
	}
	// A unit that is no text at all (PostgreSQL would refuse it), as a
	// report's own unit is refused.
	unit := q.Get("unit")
	bad = append(bad, fielderr.Problems(verify.Options{Unit: unit}.Validate())...)
	if len(bad) > 0 {
		problem.BadRequest(w, bad)
		return
	}
	// One more than the page tells whether there is a next one.
	list, err := a.issuer.List(r.Context(), unit, limit+1, offset)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, param.Cut(list, limit, offset))
}

func (a *API) get(w http.ResponseWriter, r *http.Request) {
	id, ok := param.PathID(w, r)
	if !ok {
		return
	}
	rep, err := a.issuer.Get(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, rep)
}

// issueBody is what POST / reads. Dates are YYYY-MM-DD or RFC 3339; to
// includes the day it names.
type issueBody struct {
	Unit   *string  `json:"unit"`
	From   *string  `json:"from"`
	To     *string  `json:"to"`
	Codes  []string `json:"codes"`
	Skip   []string `json:"skip"`
	Format *string  `json:"format"`
}

func (a *API) issue(w http.ResponseWriter, r *http.Request) {
	req, bad, ok := readIssue(w, r)
	if !ok {
		return
	}
	if len(bad) > 0 {
		a.refuse(w, r, req.Options, errors.Join(bad...))
		return
	}
	rep, err := a.issuer.Issue(r.Context(), req, nil)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/%d", r.URL.Path, rep.ID))
	httpjson.Write(w, http.StatusCreated, rep)
}

// refuse answers 400 naming every bad field at once: bad, those of the
// body that could not be read, and what Check finds in the options that
// could.
func (a *API) refuse(w http.ResponseWriter, r *http.Request, opts verify.Options, bad error) {
	err := Check(r.Context(), a.issuer.pool, opts)
	if err != nil && !errors.Is(err, verify.ErrInvalidOptions) {
		a.logger.Warn("the options of a report could not be looked up in the database",
			"err", err)
		err = Validate(opts)
	}
	problem.BadRequest(w, fielderr.Problems(errors.Join(bad, err)))
}

// readIssue reads the body of POST / and returns every field it cannot
// read, each a *fielderr.Error; false means the body could not be read at
// all, and was answered.
func readIssue(w http.ResponseWriter, r *http.Request) (Request, []error, bool) {
	var body issueBody
	if !httpjson.Read(w, r, &body, maxBodyBytes,
		"send one object with unit, from, to, codes, skip and format") {
		return Request{}, nil, false
	}
	var bad []error
	unit, bad := given("unit", body.Unit, bad)
	format, bad := given("format", body.Format, bad)
	from, bad := given("from", body.From, bad)
	to, bad := given("to", body.To, bad)
	req := Request{Format: FormatHTML, Options: verify.Options{Unit: unit},
		IssuedBy: IssuedByAPI}
	var err error
	if format != "" {
		if req.Format, err = ParseFormat(format); err != nil {
			bad = append(bad, fielderr.New(err, "format", err.Error()))
		}
	}
	if from != "" {
		if req.Options.From, err = verify.ParseFromIn(from, Zone); err != nil {
			bad = append(bad, err)
		}
	}
	if to != "" {
		if req.Options.To, err = verify.ParseToIn(to, Zone); err != nil {
			bad = append(bad, err)
		}
	}
	req.Options.Codes, bad = codesOf("codes", body.Codes, bad)
	req.Options.Skip, bad = codesOf("skip", body.Skip, bad)
	return req, bad, true
}

// given returns the text of a field of the body, "" when it was left out
// or null. Given blank, it is noted in bad, as the query parameters of the
// APIs are: read as left out, "unit": "" would issue, and lock for the
// evidence retention, a report of every unit.
func given(field string, v *string, bad []error) (string, []error) {
	if v == nil {
		return "", bad
	}
	if strings.TrimSpace(*v) == "" {
		return "", append(bad, fielderr.New(verify.ErrInvalidOptions, field,
			"given empty; give a value, or leave "+field+" out"))
	}
	return *v, bad
}

// codesOf reads the finding codes of a list field, each entry one code or
// several comma-separated. An entry with no code ("" or ",") is noted in
// bad: read as nothing, it would leave codes empty, which runs every rule,
// and an issued report is locked for the evidence retention.
func codesOf(field string, entries []string, bad []error) ([]string, []error) {
	var codes []string
	for i, c := range entries {
		parsed := verify.ParseCodes(c)
		if len(parsed) == 0 {
			bad = append(bad, fielderr.New(verify.ErrUnknownCode, fmt.Sprintf("%s[%d]", field, i),
				fmt.Sprintf("%q holds no finding code; give one such as NO_MEETING, or leave "+
					"the entry out", c)))
		}
		codes = append(codes, parsed...)
	}
	return codes, bad
}

// fail answers an error of the issuer: 400 for bad options (a period that
// ends before it starts, an unknown unit or code), 404 for an unknown
// report, 503 when the evidence store or Chromium is not there or the
// request's bound passed, nothing when the client went away
// (httpjson.Ended), and 500 (logged here, once) for the rest.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httpjson.Ended(w, r, err, a.logger) {
		return
	}
	bad := fielderr.Problems(err)
	switch {
	case len(bad) > 0:
		problem.BadRequest(w, bad)
	case errors.Is(err, ErrNotFound):
		problem.Write(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrNoPrinter), unavailable(err):
		w.Header().Set("Retry-After", "60")
		problem.Write(w, http.StatusServiceUnavailable, err.Error()+"; try again later")
	default:
		a.logger.Error("report request failed", "err", err)
		problem.Write(w, http.StatusInternalServerError,
			"the reports could not be read or made; the server log has the cause")
	}
}

// unavailable reports whether err means the evidence store cannot be
// reached for now.
func unavailable(err error) bool {
	return errors.Is(err, storage.ErrUnavailable) || errors.Is(err, verify.ErrNoObjectChecker) ||
		errors.Is(err, verify.ErrStoreUnavailable)
}
