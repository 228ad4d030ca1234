package console

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/centralhq/central/pkg/printers"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// assetHandler serves the embedded stylesheet. Assets need no session: they
// hold nothing secret, and the sign-in page needs them too.
func assetHandler() http.Handler {
	sub, _ := fs.Sub(assetFS, "assets")
	files := http.StripPrefix("/console/assets/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// pages holds one template set per page: the layout plus the page's file.
type pages struct{ m map[string]*template.Template }

// timeLayout is how the console writes absolute times: always UTC, so two
// people comparing notes see the same text.
const timeLayout = "2006-01-02 15:04:05 UTC"

// templateFuncs are the helpers templates call; now is the console's clock.
func templateFuncs(now func() time.Time) template.FuncMap {
	return template.FuncMap{
		// ago is a relative time, like the CLI's AGE column.
		"ago": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return printers.Age(t, now())
		},
		// due is when something is to happen: "due in 3 minutes", and
		// "due now" once that time has come (it is late, not over).
		"due": func(t time.Time) string {
			if !t.After(now()) {
				return "due now"
			}
			return "due " + printers.Age(t, now())
		},
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format(timeLayout)
		},
		// iso is the machine-readable time of a <time datetime>.
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		// bad tells whether a form's problem is about the field.
		"bad": func(p *problem, field string) bool { return p != nil && p.Field == field },
	}
}

func mustParsePages(now func() time.Time) *pages {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	p := &pages{m: map[string]*template.Template{}}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t := template.New("layout.html").Funcs(templateFuncs(now))
		p.m[strings.TrimSuffix(base, ".html")] = template.Must(t.ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n))
	}
	return p
}

// view is what a page handler returns: the page template and its data.
type view struct {
	// Template names a file of templates/ without ".html".
	Template string
	Title    string
	// Section is the navigation entry to mark as current.
	Section string
	Data    any
	// Status is the HTTP status; 0 means 200.
	Status int
}

// layoutData is what every template sees.
type layoutData struct {
	Title    string
	Section  string
	SignedIn bool
	// CSRF is the session's token, for every form that POSTs.
	CSRF  string
	Flash *flash
	Data  any
}

// render writes v inside the layout. Pages are rendered to a buffer first,
// so a template error becomes an error page instead of half a page.
func (c *console) render(w http.ResponseWriter, r *http.Request, s *session, v *view) {
	t := c.pages.m[v.Template]
	if t == nil {
		c.log.Error("console: no such template", "template", v.Template)
		c.renderError(w, r, s, http.StatusInternalServerError, "Something went wrong", "The console has no page "+v.Template+".")
		return
	}
	d := layoutData{Title: v.Title, Section: v.Section, Data: v.Data}
	if s != nil {
		d.SignedIn, d.CSRF, d.Flash = true, s.csrf, c.sessions.takeFlash(s)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		c.log.Error("console: rendering", "template", v.Template, "err", err)
		if v.Template != "error" {
			c.renderError(w, r, s, http.StatusInternalServerError, "Something went wrong",
				"The console failed to build this page; the server's log has the details.")
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show what a signed-in user may see (and once, a new signing
	// secret): no cache keeps them.
	h.Set("Cache-Control", "no-store")
	status := v.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is the data of the error template.
type errorPage struct {
	Status int
	Title  string
	Detail string
	// Fields lists the API's pointers at offending input, if any.
	Fields []string
}

func (c *console) renderError(w http.ResponseWriter, r *http.Request, s *session, status int, title, detail string) {
	c.render(w, r, s, &view{Template: "error", Title: title, Status: status,
		Data: errorPage{Status: status, Title: title, Detail: detail}})
}
