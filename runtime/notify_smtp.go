package runtime

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// SMTPConfig is the [smtp] section, with Kapacitor's keys.
type SMTPConfig struct {
	Enabled          bool          `toml:"enabled"`
	Host             string        `toml:"host"`
	Port             int           `toml:"port"` // 465 means implicit TLS; other ports use STARTTLS when offered
	Username         string        `toml:"username"`
	Password         string        `toml:"password"`
	NoVerify         bool          `toml:"no-verify"` // accept any server certificate
	Global           bool          `toml:"global"`
	StateChangesOnly bool          `toml:"state-changes-only"`
	From             string        `toml:"from"`
	To               []string      `toml:"to"`          // recipients of handlers that name none
	ToTemplates      []string      `toml:"toTemplates"` // accepted for compatibility
	IdleTimeout      time.Duration `toml:"idle-timeout"`
}

// SMTP defaults, Kapacitor's.
const (
	DefaultSMTPHost        = "localhost"
	DefaultSMTPPort        = 25
	DefaultSMTPIdleTimeout = 30 * time.Second
)

// errNoRecipients is Kapacitor's error for an email without recipients.
var errNoRecipients = permanent(errors.New("not sending email, no recipients defined"))

func init() {
	RegisterConfigSection(ConfigSection{Name: "smtp", New: func() any {
		return &SMTPConfig{Host: DefaultSMTPHost, Port: DefaultSMTPPort, IdleTimeout: DefaultSMTPIdleTimeout}
	}})
	registerGlobal(globalService{
		kind: "email",
		settings: func(t *Task) (bool, bool) {
			c := serviceSection[SMTPConfig](t, "smtp")
			return c.Global, c.StateChangesOnly
		},
		handler: func(t *Task) AlertHandler { return NewEmailHandler(t, EmailHandlerConfig{}) },
	})
}

// EmailHandlerConfig configures an email handler, .email(to…) with .to() and
// .toTemplates().
type EmailHandlerConfig struct {
	To []string
	// ToTemplates are text/templates on the event's data (.Name, .TaskName,
	// .Group, .Tags, .Fields, …); each non-empty result is one more recipient.
	ToTemplates []string
}

// emailData is what To templates see: Kapacitor's alert.EventData.
type emailData struct {
	Name        string
	TaskName    string
	Category    string
	Group       string
	Tags        map[string]string
	Fields      map[string]any
	Recoverable bool
}

// NewEmailHandler returns an email handler of task t: it mails each event
// through the [smtp] server, the message as subject and the details as an
// HTML body, as Kapacitor's smtp service does. Without recipients of its own
// it mails the section's. A To template that does not parse is reported by
// Err.
func NewEmailHandler(t *Task, cfg EmailHandlerConfig) *ServiceHandler {
	var toTmpls []*template.Template
	for i, s := range cfg.ToTemplates {
		tm, err := template.New(strconv.Itoa(i)).Parse(s)
		if err != nil {
			return failedServiceHandler(t, "email", fmt.Errorf("failed to parse to template: %w", err))
		}
		toTmpls = append(toTmpls, tm)
	}
	c := serviceSection[SMTPConfig](t, "smtp")
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	h := newServiceHandler(t, "email", addr, 0, nil)
	h.queue.send = func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		to := append([]string(nil), cfg.To...)
		if len(toTmpls) > 0 {
			g := string(ev.Group)
			if g == "" {
				g = "nil"
			}
			data := emailData{Name: ev.Name, TaskName: ev.TaskName, Category: ev.Category, Group: g, Tags: ev.tagMap(), Fields: ev.fieldMap(), Recoverable: ev.Recoverable}
			for _, tm := range toTmpls {
				var b strings.Builder
				if err := tm.Execute(&b, data); err != nil {
					h.queue.log.Error("error in email template", "err", err.Error())
				}
				if b.Len() > 0 {
					to = append(to, b.String())
				}
			}
		}
		if len(to) == 0 {
			to = c.To
		}
		if len(to) == 0 {
			return errNoRecipients
		}
		return sendMail(ctx, c, to, ev.Message, ev.Details)
	}
	return h
}

// emailMessage writes a MIME message with an HTML body, quoted-printable.
func emailMessage(from string, to []string, subject, body string, date time.Time) []byte {
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("Mime-Version", "1.0")
	header("Date", date.Format(time.RFC1123Z))
	header("From", from)
	header("To", strings.Join(to, ", "))
	header("Subject", mime.QEncoding.Encode("UTF-8", subject))
	header("Content-Type", "text/html; charset=UTF-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(body))
	_ = w.Close()
	return b.Bytes()
}

// sendMail delivers one message over a new SMTP connection: implicit TLS on
// port 465, STARTTLS when the server offers it, AUTH when a username is set.
func sendMail(ctx context.Context, c *SMTPConfig, to []string, subject, body string) error {
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	tlsCfg := &tls.Config{ServerName: c.Host, InsecureSkipVerify: c.NoVerify}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("failed to connect to SMTP server: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if c.Port == 465 {
		conn = tls.Client(conn, tlsCfg)
	}
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("SMTP handshake: %w", err)
	}
	defer cl.Close()
	if c.Port != 465 {
		if ok, _ := cl.Extension("STARTTLS"); ok {
			if err := cl.StartTLS(tlsCfg); err != nil {
				return fmt.Errorf("SMTP STARTTLS: %w", err)
			}
		}
	}
	if c.Username != "" {
		if ok, _ := cl.Extension("AUTH"); ok {
			if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
				return permanent(fmt.Errorf("SMTP auth: %w", err))
			}
		}
	}
	if err := cl.Mail(c.From); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	for _, r := range to {
		if err := cl.Rcpt(r); err != nil {
			return fmt.Errorf("SMTP RCPT TO %s: %w", r, err)
		}
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(emailMessage(c.From, to, subject, body, time.Now())); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	return cl.Quit()
}
