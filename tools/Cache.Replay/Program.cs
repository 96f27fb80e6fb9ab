using Cache.Replay;

// dotnet run --project tools/Cache.Replay -- TRACE [--max-size 100,1000,10000] [--default-ttl 5m,1h] [--chart PATH, default TRACE.hit-rate.png]
return ReplayCommand.Run(args, Console.Out, Console.Error);
