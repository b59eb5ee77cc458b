package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/param"
	"github.com/liuhen/liuhen/internal/problem"
)

// XLSXType is the media type of an Excel workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// bodyTypes are the media types a file may be sent with as the whole
// body; the content decides whether it is XLSX or CSV. Browsers on Windows
// label CSV files application/vnd.ms-excel.
var bodyTypes = map[string]bool{XLSXType: true, "text/csv": true, "application/csv": true,
	"text/plain": true, "application/vnd.ms-excel": true, "application/octet-stream": true,
	"": true}

// multipartSlack is what a multipart form may add to the file: boundaries
// and part headers.
const multipartSlack = 64 << 10

// uploadTimeout is how long reading an upload may take, beyond the
// server's own read timeout.
const uploadTimeout = 10 * time.Minute

// Handler serves POST /imports/{kind} (mounted under /api/v1 by cmd/liuhen,
// behind the admin check): the file is the body, or the part named "file"
// of a multipart/form-data body. ?dry_run=true checks and counts without
// writing.
type Handler struct {
	pool     *pgxpool.Pool
	maxBytes int64
	logger   *slog.Logger
}

// NewHandler returns the handler, refusing files over maxBytes
// (DefaultMaxBytes when maxBytes <= 0).
func NewHandler(pool *pgxpool.Pool, maxBytes int64, logger *slog.Logger) *Handler {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Handler{pool: pool, maxBytes: maxBytes, logger: logger.With("component", "import")}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind, err := ParseKind(chi.URLParam(r, "kind"))
	if err != nil {
		problem.Write(w, http.StatusNotFound, err.Error())
		return
	}
	dryRun, err := queryBool(r, "dry_run")
	if err != nil {
		problem.WriteDetails(w, problem.Details{Status: http.StatusBadRequest,
			Detail: "bad query parameter", Errors: []problem.FieldError{{Field: "dry_run",
				Reason: err.Error()}}})
		return
	}
	name, data, err := h.readUpload(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := Import(r.Context(), h.pool, kind, name, data, Options{DryRun: dryRun})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

func queryBool(r *http.Request, key string) (bool, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return false, nil
	}
	return param.Bool(v)
}

// errUnsupportedType is a body of a media type that holds no spreadsheet.
var errUnsupportedType = errors.New("unsupported media type")

// errNoFilePart is a multipart form without the file.
var errNoFilePart = errors.New(`the form has no file: send it as the part named "file"`)

// readUpload reads the file of the request, refusing one over the limit
// from its Content-Length before reading anything, and otherwise as soon
// as the limit is passed.
func (h *Handler) readUpload(w http.ResponseWriter, r *http.Request) (string, []byte, error) {
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return "", nil, fmt.Errorf("%w: the Content-Type does not parse", errUnsupportedType)
	}
	limit := h.maxBytes
	if mediaType == "multipart/form-data" {
		limit += multipartSlack
	} else if !bodyTypes[mediaType] {
		return "", nil, fmt.Errorf("%w: %s; send the file as %s, text/csv or "+
			"multipart/form-data", errUnsupportedType, mediaType, XLSXType)
	}
	if r.ContentLength > limit {
		return "", nil, TooLarge(h.maxBytes)
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTimeout))
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if mediaType != "multipart/form-data" {
		_, cd, _ := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
		data, err := ReadAll(r.Body, h.maxBytes)
		return cd["filename"], data, readError(err)
	}
	if params["boundary"] == "" {
		return "", nil, fmt.Errorf("%w: multipart/form-data without a boundary",
			errUnsupportedType)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", errUnsupportedType, err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", nil, errNoFilePart
		}
		if err != nil {
			return "", nil, readError(err)
		}
		if part.FormName() == "file" || part.FileName() != "" {
			data, err := ReadAll(part, h.maxBytes)
			return part.FileName(), data, readError(err)
		}
	}
}

// Uploads that break off.
var (
	errUploadBroken = errors.New("the upload broke off before the end of the file")
	errUploadSlow   = errors.New("the upload took too long")
)

// readError says what went wrong reading an upload: the body limit's error
// is ErrTooLarge, a read that ran out of time errUploadSlow, and any other
// failure of the body (cut off, malformed multipart) errUploadBroken. A
// client gone away stays context.Canceled.
func readError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case err == nil, errors.Is(err, ErrTooLarge), errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &mbe):
		return fmt.Errorf("%w: the upload passed %d bytes", ErrTooLarge, mbe.Limit)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%w: it was not in after %v; send it again on a faster "+
			"connection, or split it", errUploadSlow, uploadTimeout)
	}
	return fmt.Errorf("%w (%v); send the whole file again", errUploadBroken, err)
}

// fileProblem is a problem document listing every bad cell of a file.
type fileProblem struct {
	Type   string     `json:"type"`
	Title  string     `json:"title"`
	Status int        `json:"status"`
	Detail string     `json:"detail"`
	Errors []RowError `json:"errors"`
}

// fail answers an import that went wrong: a bad file 422 listing its bad
// cells, a bad upload 400, 408, 413 or 415, a request whose bound passed
// 503 and one whose client went away not at all (httpjson.Ended), and the
// rest 500, logged here.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httpjson.Ended(w, r, err, h.logger) {
		return
	}
	var fe *FileError
	switch {
	case errors.As(err, &fe):
		what := fmt.Sprintf("%d errors", len(fe.Errors))
		if len(fe.Errors) == 1 {
			what = "an error"
		}
		writeFileProblem(w, fmt.Sprintf("the file has %s; nothing was imported: fix "+
			"each one listed in errors and send the file again", what), fe.Errors)
	case errors.Is(err, ErrEmpty):
		writeFileProblem(w, err.Error(), []RowError{{Reason: err.Error()}})
	case errors.Is(err, ErrTooLarge):
		problem.Write(w, http.StatusRequestEntityTooLarge, err.Error())
	case errors.Is(err, ErrNotSpreadsheet), errors.Is(err, errUnsupportedType):
		problem.Write(w, http.StatusUnsupportedMediaType, err.Error())
	case errors.Is(err, errNoFilePart), errors.Is(err, errUploadBroken):
		problem.Write(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, errUploadSlow):
		problem.Write(w, http.StatusRequestTimeout, err.Error())
	default:
		h.logger.Error("import", "path", r.URL.Path, "err", err)
		problem.Write(w, http.StatusInternalServerError,
			"internal error; it has been logged, try again later")
	}
}

func writeFileProblem(w http.ResponseWriter, detail string, errs []RowError) {
	w.Header().Set("Content-Type", problem.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusUnprocessableEntity)
	_ = json.NewEncoder(w).Encode(fileProblem{Type: "about:blank",
		Title:  http.StatusText(http.StatusUnprocessableEntity),
		Status: http.StatusUnprocessableEntity, Detail: detail, Errors: errs})
}
