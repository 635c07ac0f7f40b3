using System.Globalization;
using System.Net;
using System.Text;

namespace Luban.Load.Journeys;

/// <summary>
/// A visitor who has not signed in: opens the page, reads a length off the Luban ruler, looks at the paper's example
/// houses, and every third round has a house evaluated (scored and shown, not saved: saving needs an account). Pure:
/// no I/O; <paramref name="seed"/> makes its lengths repeatable.
/// </summary>
public sealed class VisitorJourney(int seed) : IClientJourney
{
    public static readonly string[] Steps = ["page", "ruler", "examples", "evaluate"];

    private readonly Random _random = new(seed);
    private int _step;
    private int _rounds;

    public int Rounds => _rounds;

    public (HttpRequestMessage Request, string Step) Next()
    {
        var step = Steps[_step];
        var request = step switch
        {
            "page" => new HttpRequestMessage(HttpMethod.Get, "/"),
            "ruler" => new HttpRequestMessage(HttpMethod.Get,
                string.Create(CultureInfo.InvariantCulture, $"/api/ruler?cm={_random.Next(30, 240)}&profile=LUBAN_42_9")),
            "examples" => new HttpRequestMessage(HttpMethod.Get, "/api/examples"),
            _ => new HttpRequestMessage(HttpMethod.Post, "/api/evaluations")
            {
                Content = new StringContent(_rounds % 2 == 0 ? SampleHouses.A : SampleHouses.B, Encoding.UTF8, "application/json"),
            },
        };
        return (request, step);
    }

    public void Observe(string step, HttpStatusCode status, IEnumerable<string> setCookies, string body)
    {
        // Whatever the answer, the visitor goes on; the evaluation comes every third round.
        _step = (_step + 1) % Steps.Length;
        if (_step == Steps.Length - 1 && _rounds % 3 != 2) _step = 0;
        if (_step == 0) _rounds++;
    }
}
