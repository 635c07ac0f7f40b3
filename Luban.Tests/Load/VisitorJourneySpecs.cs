using System.Net;
using Luban.Load.Journeys;

namespace Luban.Tests.Load;

public sealed class VisitorJourneySpecs
{
    [Fact]
    public void A_visitor_should_read_the_page_the_ruler_and_the_examples_and_evaluate_every_third_round()
    {
        var visitor = new VisitorJourney(seed: 7);
        var steps = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (request, step) = visitor.Next();
            steps.Add($"{step} {request.Method} {request.RequestUri!.OriginalString.Split('?')[0]}");
            visitor.Observe(step, HttpStatusCode.OK, [], "{}");
        }

        Assert.Equal(
        [
            "page GET /", "ruler GET /api/ruler", "examples GET /api/examples",
            "page GET /", "ruler GET /api/ruler", "examples GET /api/examples",
            "page GET /", "ruler GET /api/ruler", "examples GET /api/examples", "evaluate POST /api/evaluations",
        ], steps);
        Assert.Equal(3, visitor.Rounds);
    }

    [Fact]
    public void A_visitor_should_go_on_whatever_the_answer_and_never_carry_a_session()
    {
        var visitor = new VisitorJourney(seed: 1);
        for (var i = 0; i < 20; i++)
        {
            var (request, step) = visitor.Next();
            Assert.False(request.Headers.Contains("Cookie"));
            visitor.Observe(step, i % 2 == 0 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, ["luban-session=abc; path=/"], "");
        }

        Assert.True(visitor.Rounds >= 5);
    }
}
