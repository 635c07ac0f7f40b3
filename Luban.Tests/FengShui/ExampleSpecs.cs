using System.Text.Json;
using Luban.FengShui;
using Luban.FengShui.Examples;
using Luban.FengShui.Model;
using Luban.Web.Api;

namespace Luban.Tests.FengShui;

/// <summary>The examples the form loads are the paper's houses of §7.6, built independently here in SampleHouses.</summary>
public class ExampleSpecs
{
    [Theory]
    [InlineData("A", 88.2, Grade.B)]
    [InlineData("B", 72.8, Grade.C)]
    public void Paper_examples_should_score_as_the_spec_says(string id, decimal total, Grade grade)
    {
        var example = PaperHouses.All.Single(e => e.Id == id);

        var result = FengShuiEngine.Default.Evaluate(example.Request).Result!;

        Assert.Equal((total, grade), (result.Total, result.Grade));
    }

    [Fact]
    public void Paper_examples_should_be_the_test_vectors_apart_from_the_label()
    {
        static string Json(Luban.FengShui.Input.EvaluationRequest r) =>
            JsonSerializer.Serialize(r with { Label = null, RulerProfile = r.RulerProfile ?? "LUBAN_42_9" }, AppJsonContext.Default.EvaluationRequest);

        Assert.Equal(Json(SampleHouses.HouseA()), Json(PaperHouses.HouseA()));
        Assert.Equal(Json(SampleHouses.HouseB()), Json(PaperHouses.HouseB()));
    }
}
