using Tend.Templates.Execution;
using Tend.Templates.Formatting;

namespace Tend.Templates.Functions;

internal static partial class ConsulTemplateHelpers
{
    /// <summary>consul-template's arithmetic: <c>op b a</c> is <c>a op b</c>; two ints give an int, a float on either side a float.</summary>
    internal static object Arithmetic(string op, object? b, object? a)
    {
        if (a is not (long or double))
        {
            throw UnknownType(op, a);
        }

        if (b is not (long or double))
        {
            throw UnknownType(op, b);
        }

        if (a is long x && b is long y)
        {
            return GoValues.Box(op switch
            {
                "add" => unchecked(x + y),
                "subtract" => unchecked(x - y),
                "multiply" => unchecked(x * y),
                "divide" => IntDivide(x, y, modulo: false),
                _ => IntDivide(x, y, modulo: true),
            });
        }

        if (op == "modulo")
        {
            // Go's modulo takes integers only.
            throw UnknownType(op, a is double ? a : b);
        }

        double fa = a is long la ? la : (double)a;
        double fb = b is long lb ? lb : (double)b;
        return op switch
        {
            "add" => fa + fb,
            "subtract" => fa - fb,
            "multiply" => fa * fb,
            _ => fa / fb,
        };
    }

    private static long IntDivide(long x, long y, bool modulo)
    {
        if (y == 0)
        {
            // Go panics; text/template reports the recovered panic as the call's error.
            throw new TemplateFunctionException("runtime error: integer divide by zero");
        }

        if (y == -1)
        {
            // long.MinValue / -1 wraps in Go instead of overflowing.
            return modulo ? 0 : unchecked(-x);
        }

        return modulo ? x % y : x / y;
    }

    private static TemplateFunctionException UnknownType(string op, object? v)
    {
        // fmt's %q of the reflect.Value, then %T of the value.
        string quoted = v switch
        {
            null => "<invalid reflect.Value>",
            string s => GoStrings.Quote(s),
            _ => GoPrinter.Sprintf("%q", [v]),
        };
        return new TemplateFunctionException($"{op}: unknown type for {quoted} ({(v is null ? "<nil>" : GoValues.TypeName(v))})");
    }
}
