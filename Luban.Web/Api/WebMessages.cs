using Luban.FengShui.Model;
using Luban.FengShui.Validation;

namespace Luban.Web.Api;

/// <summary>
/// Field errors in both languages: the service's own codes here, the §8 codes from the model. Placeholders such as
/// {field}, {max} or {seconds} are filled from the arguments.
/// </summary>
public static class WebMessages
{
    private static readonly Dictionary<string, (string Zh, string En)> Own = new(StringComparer.Ordinal)
    {
        ["E_EMAIL"] = ("請輸入有效的電子郵件地址", "enter a valid e-mail address"),
        ["E_PASSWORD"] = ("密碼需 8–128 個字元，不可與電子郵件相同，也不可只重複同一個字", "the password needs 8–128 characters, must differ from the e-mail address and not repeat one character"),
        ["E_TAKEN"] = ("此電子郵件已經註冊", "this e-mail address is already registered"),
        ["E_CREDENTIALS"] = ("電子郵件或密碼不正確", "wrong e-mail address or password"),
        ["E_LOCKED"] = ("登入失敗次數過多，請於 {seconds} 秒後再試", "too many failed sign-ins; try again in {seconds} s"),
        ["E_SIGNED_OUT"] = ("請先登入", "sign in first"),
        ["E_NOT_FOUND"] = ("找不到這筆紀錄", "no such record"),
        ["E_ANTIFORGERY"] = ("請重新整理頁面後再試一次（安全驗證未通過）", "reload the page and try again (the request failed its forgery check)"),
        ["E_DATABASE"] = ("紀錄資料庫暫時無法使用，請於 {seconds} 秒後再試", "the records database is unavailable; try again in {seconds} s"),
        ["E_IDEMPOTENCY_KEY"] = ("請求識別碼需為 1–128 個可見 ASCII 字元", "the key needs 1–128 visible ASCII characters"),
        ["E_IDEMPOTENCY_REUSED"] = ("此請求識別碼已用於另一筆不同的評估", "this key was already used for a different evaluation"),
        ["E_IDEMPOTENCY_GONE"] = ("以此請求識別碼儲存的紀錄已被刪除", "the record saved with this key has been deleted"),
        ["E_TOO_LARGE"] = ("內容超過 {max} 位元組", "the body exceeds {max} bytes"),
        ["E_BODY"] = ("請提供 JSON 內容", "a JSON body is required"),
        ["E_JSON"] = ("JSON 格式或型別錯誤", "malformed JSON or a value of the wrong type"),
        ["E_COUNT"] = ("請選擇 {min}–{max} 筆紀錄", "choose {min} to {max} records"),
        ["E_DUPLICATE"] = ("重複項目", "duplicate item"),
        ["E_INTERNAL"] = ("伺服器發生錯誤", "the server failed to answer"),
    };

    public static (string Zh, string En) Message(string code, params (string Name, string Value)[] arguments)
    {
        var (zh, en) = Own.TryGetValue(code, out var own) ? own : FengShuiModel.Default.ErrorMessage(code);
        foreach (var (name, value) in arguments)
        {
            zh = zh.Replace("{" + name + "}", value, StringComparison.Ordinal);
            en = en.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }
        return (zh, en);
    }

    public static FieldError Field(string field, string code, params (string Name, string Value)[] arguments)
    {
        var (zh, en) = Message(code, arguments);
        return new FieldError(field, code, en, zh);
    }
}
