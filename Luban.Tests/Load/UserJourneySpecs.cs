using System.Net;
using Luban.Load.Journeys;

namespace Luban.Tests.Load;

/// <summary>The user journey of <c>luban load --mix journey</c>, step by step, without a server.</summary>
public sealed class UserJourneySpecs
{
    private const string Session = "luban-session=abc; path=/; samesite=lax; httponly";

    private static string Saved(string id) => $"{{\"id\":\"{id}\",\"total\":88.2}}";

    // Answers each step the way the service does, and returns the steps taken.
    private static List<string> Walk(UserJourney journey, int requests, Func<string, (HttpStatusCode, string)>? answer = null)
    {
        var steps = new List<string>();
        var saves = 0;
        for (var i = 0; i < requests; i++)
        {
            var (request, step) = journey.Next();
            steps.Add(step);
            var (status, body) = answer?.Invoke(step) ?? step switch
            {
                "register" => (HttpStatusCode.Created, "{}"),
                "login" => (HttpStatusCode.OK, "{}"),
                "save" => (HttpStatusCode.Created, Saved($"r{++saves}")),
                _ => (HttpStatusCode.OK, "{}"),
            };
            journey.Observe(step, status, step is "register" or "login" ? [Session] : [], body);
            request.Dispose();
        }
        return steps;
    }

    [Fact]
    public void Journey_should_register_then_save_list_and_compare_the_last_two()
    {
        var steps = Walk(new UserJourney("a@b.tw", "pw", signInEvery: 2), 12);

        Assert.Equal(["register", "save", "list", "save", "list", "compare", "save", "list", "compare", "login", "save", "list"], steps);
    }

    [Fact]
    public void Journey_should_send_its_session_cookie_and_compare_its_own_last_two_records()
    {
        var journey = new UserJourney("a@b.tw", "pw");
        Walk(journey, 5);

        var (request, step) = journey.Next();

        Assert.Equal("compare", step);
        Assert.Equal("/api/compare?ids=r1,r2", request.RequestUri!.ToString());
        Assert.Equal("luban-session=abc", Assert.Single(request.Headers.GetValues("Cookie")));
    }

    [Fact]
    public void A_save_answered_503_should_be_repeated_with_the_same_key_and_a_stored_one_should_get_a_new_key()
    {
        var journey = new UserJourney("a@b.tw", "pw");
        Walk(journey, 1);

        var (first, _) = journey.Next();
        journey.Observe("save", HttpStatusCode.ServiceUnavailable, [], "{}");
        var (retry, _) = journey.Next();
        journey.Observe("save", HttpStatusCode.Created, [], Saved("r1"));
        journey.Observe("list", HttpStatusCode.OK, [], "{}");
        var (next, _) = journey.Next();

        var key = Assert.Single(first.Headers.GetValues("Idempotency-Key"));
        Assert.Equal(key, Assert.Single(retry.Headers.GetValues("Idempotency-Key")));
        Assert.NotEqual(key, Assert.Single(next.Headers.GetValues("Idempotency-Key")));
    }

    [Fact]
    public void A_lost_session_should_sign_in_again_and_a_taken_address_should_sign_in()
    {
        var journey = new UserJourney("a@b.tw", "pw");

        var steps = Walk(journey, 5, step => step switch
        {
            "register" => (HttpStatusCode.BadRequest, "{}"),
            "login" => (HttpStatusCode.OK, "{}"),
            "save" => (HttpStatusCode.Unauthorized, "{}"),
            _ => (HttpStatusCode.OK, "{}"),
        });

        Assert.Equal(["register", "login", "save", "login", "save"], steps);
    }

    [Fact]
    public void Journey_with_sign_in_every_0_should_sign_in_only_at_the_start()
    {
        var steps = Walk(new UserJourney("a@b.tw", "pw", signInEvery: 0), 40);

        Assert.Equal(["register"], steps.Where(s => s is "register" or "login"));
    }
}
