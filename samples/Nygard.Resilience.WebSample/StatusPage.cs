using System.Net;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Nygard.Resilience.WebSample;

/// <summary>A small HTML page listing every breaker with its state, failure count and time until retry.</summary>
internal static class StatusPage
{
    public static async Task<IResult> RenderAsync(HealthCheckService health, FlakyDownstream downstream)
    {
        var report = await health.CheckHealthAsync(check => check.Name == "nygard-breakers");
        var breakers = report.Entries["nygard-breakers"];
        var html = new StringBuilder()
            .Append("<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"2\"><title>Breakers</title>")
            .Append("<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em 1em;text-align:left}.Closed{color:green}.Open,.Isolated{color:#b00}.HalfOpen{color:#b60}</style></head><body>")
            .Append("<h1>Circuit breakers</h1>")
            .Append(CultureInfo($"<p>Health: <b>{report.Status}</b> &mdash; {WebUtility.HtmlEncode(breakers.Description)}</p>"))
            .Append("<table><tr><th>breaker</th><th>state</th></tr>");
        foreach (var (name, value) in breakers.Data)
        {
            var text = value.ToString() ?? string.Empty;
            var state = text.Split(' ')[0];
            html.Append(CultureInfo($"<tr><td>{WebUtility.HtmlEncode(name)}</td><td class=\"{state}\">{WebUtility.HtmlEncode(text)}</td></tr>"));
        }

        html.Append("</table>")
            .Append(CultureInfo($"<p>Downstream mode: <b>{downstream.Mode}</b>. Try <code>curl -X POST http://127.0.0.1:5080/downstream/mode/down</code>, then <code>curl http://127.0.0.1:5080/stock</code> a few times.</p>"))
            .Append("</body></html>");
        return Results.Content(html.ToString(), "text/html");
    }

    private static string CultureInfo(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
