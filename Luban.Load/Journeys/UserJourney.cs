using System.Net;
using System.Text;
using System.Text.Json;

namespace Luban.Load.Journeys;

/// <summary>What a client does next, one request at a time, and what it makes of each answer.</summary>
public interface IClientJourney
{
    /// <summary>The next request (relative to the base URL) and the name of its step, e.g. <c>save</c>.</summary>
    (HttpRequestMessage Request, string Step) Next();

    /// <summary>The answer to the request <see cref="Next"/> gave (not called when the request failed on the socket).</summary>
    void Observe(string step, HttpStatusCode status, IEnumerable<string> setCookies, string body);
}

/// <summary>
/// A home buyer on the service: registers an account of its own (or signs in when it exists), then goes round
/// evaluate-and-save (with an Idempotency-Key, kept until the save is answered, so a retried save is stored once),
/// list, compare the last two; every <see cref="SignInEvery"/> rounds it signs in again (0: only when its session
/// is lost). It keeps its session cookie
/// itself, so it works on a client whose handler keeps no cookies. Pure: no I/O.
/// </summary>
public sealed class UserJourney(string email, string password, int signInEvery = UserJourney.DefaultSignInEvery) : IClientJourney
{
    public const int DefaultSignInEvery = 10;
    public const string CookieName = "luban-session";

    public static readonly string[] Steps = ["register", "login", "save", "list", "compare"];

    private enum Stage { Register, SignIn, Save, List, Compare }

    private readonly List<string> _saved = [];
    private Stage _stage = Stage.Register;
    private string? _session;
    private string? _pendingKey;
    private int _rounds;
    private bool _houseB;

    public int SignInEvery { get; } = signInEvery;

    public int Rounds => _rounds;

    public (HttpRequestMessage Request, string Step) Next()
    {
        var (request, step) = _stage switch
        {
            Stage.Register => (Json(HttpMethod.Post, "/api/account/register", Credentials()), "register"),
            Stage.SignIn => (Json(HttpMethod.Post, "/api/account/login", Credentials()), "login"),
            Stage.Save => (Save(), "save"),
            Stage.List => (new HttpRequestMessage(HttpMethod.Get, "/api/evaluations?pageSize=10"), "list"),
            _ => (new HttpRequestMessage(HttpMethod.Get, $"/api/compare?ids={_saved[^2]},{_saved[^1]}"), "compare"),
        };
        if (_session is not null)
        {
            request.Headers.Add("Cookie", $"{CookieName}={_session}");
        }
        return (request, step);
    }

    public void Observe(string step, HttpStatusCode status, IEnumerable<string> setCookies, string body)
    {
        foreach (var cookie in setCookies)
        {
            var pair = cookie.Split(';', 2)[0];
            if (pair.StartsWith(CookieName + "=", StringComparison.Ordinal))
            {
                var value = pair[(CookieName.Length + 1)..];
                _session = value.Length == 0 ? null : value;
            }
        }
        if (status == HttpStatusCode.Unauthorized && _stage is Stage.Save or Stage.List or Stage.Compare)
        {
            _stage = Stage.SignIn;
            return;
        }
        _stage = (_stage, (int)status) switch
        {
            (Stage.Register, 201) => Stage.Save,
            // Taken: this address registered earlier (a retried registration, a restarted run with the same names).
            (Stage.Register, 400) => Stage.SignIn,
            (Stage.SignIn, 200) => Stage.Save,
            (Stage.Save, 201) => Saved(body),
            // A refused save (e.g. 422) would be refused again: start a new one with a new key.
            (Stage.Save, >= 400 and < 500) => NewSave(),
            (Stage.List, >= 200 and < 300) => _saved.Count >= 2 ? Stage.Compare : Stage.Save,
            (Stage.Compare, _) => EndRound(),
            (Stage.List, _) => Stage.List,
            // Anything else (a 503 while the database is away, a 429): the same request again.
            _ => _stage,
        };
    }

    private Stage Saved(string body)
    {
        _pendingKey = null;
        using var json = JsonDocument.Parse(body);
        if (json.RootElement.TryGetProperty("id", out var id) && id.GetString() is { } value)
        {
            _saved.Add(value);
            if (_saved.Count > 2)
            {
                _saved.RemoveAt(0);
            }
        }
        _houseB = !_houseB;
        return Stage.List;
    }

    private Stage NewSave()
    {
        _pendingKey = null;
        return Stage.Save;
    }

    private Stage EndRound()
    {
        _rounds++;
        return SignInEvery > 0 && _rounds % SignInEvery == 0 ? Stage.SignIn : Stage.Save;
    }

    private HttpRequestMessage Save()
    {
        _pendingKey ??= Guid.NewGuid().ToString();
        var request = Json(HttpMethod.Post, "/api/evaluations", _houseB ? SampleHouses.B : SampleHouses.A);
        request.Headers.Add("Idempotency-Key", _pendingKey);
        return request;
    }

    private string Credentials() => JsonSerializer.Serialize(new Dictionary<string, string> { ["email"] = email, ["password"] = password });

    private static HttpRequestMessage Json(HttpMethod method, string path, string body) =>
        new(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}

/// <summary>The paper's two houses (FENGSHUI.md §7.6) as request bodies: 88.2 (B) and 72.8 (C).</summary>
public static class SampleHouses
{
    private const string Shared =
        "\"houseType\":\"APARTMENT\",\"floor\":3,\"totalFloors\":5,\"facingBasis\":\"DOOR\"," +
        "\"env\":[{\"id\":\"POLE\",\"exposure\":\"DIRECT_WINDOW\"},{\"id\":\"TEMPLE\",\"exposure\":\"VISIBLE\"}]," +
        "\"waterRoad\":{\"W1\":{\"option\":\"STRAIGHT_PASSING\"},\"W2\":{\"option\":\"NONE\"},\"W3\":{\"option\":\"MODERATE\"},\"W4\":{\"option\":\"EQUAL\"},\"W5\":{\"option\":\"TIGER_HIGHER\"}}," +
        "\"exterior\":{\"X1\":{\"option\":\"RECTANGLE\"},\"X2\":{\"option\":\"SE\"},\"X3\":{\"option\":\"GOOD\"},\"X4\":{\"option\":\"SINGLE_SIDE\"},\"X6\":{\"option\":\"AVERAGE\"}}";

    public const string A = "{\"label\":\"load A\"," + Shared +
        ",\"interior\":[{\"id\":\"BEAM_OVER_SEAT\"},{\"id\":\"DOOR_TO_DOOR\",\"count\":1,\"remedy\":\"SCREENING\"}]" +
        ",\"measurements\":[{\"element\":\"MAIN_DOOR\",\"dimension\":\"WIDTH\",\"cm\":90},{\"element\":\"MAIN_DOOR\",\"dimension\":\"HEIGHT\",\"cm\":210},{\"element\":\"ROOM_DOOR\",\"dimension\":\"WIDTH\",\"cm\":81}]}";

    public const string B = "{\"label\":\"load B\"," + Shared +
        ",\"interior\":[{\"id\":\"CHUAN_TANG\"},{\"id\":\"DOOR_SEES_TOILET\",\"remedy\":\"SCREENING\"},{\"id\":\"BEAM_OVER_BED_HEAD\"},{\"id\":\"MIRROR_FACES_BED\"},{\"id\":\"DOOR_TO_DOOR\",\"count\":2}]" +
        ",\"measurements\":[{\"element\":\"MAIN_DOOR\",\"dimension\":\"WIDTH\",\"cm\":100},{\"element\":\"MAIN_DOOR\",\"dimension\":\"HEIGHT\",\"cm\":210},{\"element\":\"ROOM_DOOR\",\"dimension\":\"WIDTH\",\"cm\":80}]}";
}
