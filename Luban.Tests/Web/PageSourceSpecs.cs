using System.Text.RegularExpressions;

namespace Luban.Tests.Web;

/// <summary>The pages' own rules, checked in their source: one way to put markup in, and nothing the CSP forbids.</summary>
public partial class PageSourceSpecs
{
    private static string Page(string name) => File.ReadAllText(Path.Combine(BrowserSpecs.RepoRoot(), "Luban.Web", "wwwroot", name));

    [Fact]
    public void App_js_should_write_markup_only_through_the_escaping_template()
    {
        var script = Page("app.js");

        // The one innerHTML assignment is setHtml's, which accepts only h`…` output (every value escaped).
        Assert.Single(Regex.Matches(script, @"\.innerHTML\s*="));
        Assert.Contains("if (!(html instanceof Html)) throw", script);
        Assert.DoesNotMatch(@"insertAdjacentHTML|outerHTML\s*=|document\.write|eval\(|new Function", script);
    }

    [Fact]
    public void Pages_should_have_no_inline_script_style_or_handler()
    {
        var html = Page("index.html") + Page("app.js");

        Assert.DoesNotMatch(@"<script>(?!\s*</script>)|<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=""", html);
    }
}
