namespace Tend.Templates.Parsing;

/// <summary>
/// Finds the calls of named functions in parse trees and what their first argument is when it is
/// written in the text. A call whose first argument is computed (a variable, a field, a pipeline,
/// a value piped in) or that is not called at all but named elsewhere in a command counts as
/// computed: the caller must then assume the function may read anything.
/// </summary>
internal static class CallSites
{
    /// <summary>Adds, for each call of a function in <paramref name="functions"/>, its literal first argument, or null when it is computed.</summary>
    public static void Collect(Node node, IReadOnlySet<string> functions, List<string?> found)
    {
        switch (node)
        {
            case ListNode list:
                foreach (var n in list.Nodes)
                {
                    Collect(n, functions, found);
                }

                break;
            case ActionNode action:
                Collect(action.Pipe, functions, found);
                break;
            case PipeNode pipe:
                foreach (var command in pipe.Cmds)
                {
                    Collect(command, functions, found);
                }

                break;
            case CommandNode command:
                for (int i = 0; i < command.Args.Count; i++)
                {
                    if (i == 0 && command.Args[0] is IdentifierNode head && functions.Contains(head.Ident))
                    {
                        found.Add(command.Args.Count > 1 && command.Args[1] is StringNode literal ? literal.Text : null);
                        continue;
                    }

                    if (command.Args[i] is IdentifierNode named && functions.Contains(named.Ident))
                    {
                        // Named as an argument: called with no arguments, which fails at render; assume the worst.
                        found.Add(null);
                        continue;
                    }

                    Collect(command.Args[i], functions, found);
                }

                break;
            case ChainNode chain:
                if (chain.Node is IdentifierNode chained && functions.Contains(chained.Ident))
                {
                    found.Add(null);
                }
                else
                {
                    Collect(chain.Node, functions, found);
                }

                break;
            case BranchNode branch:
                Collect(branch.Pipe, functions, found);
                Collect(branch.List, functions, found);
                if (branch.ElseList is not null)
                {
                    Collect(branch.ElseList, functions, found);
                }

                break;
            case TemplateNode template when template.Pipe is not null:
                Collect(template.Pipe, functions, found);
                break;
            default:
                break;
        }
    }
}
