import { describe, expect, it } from 'vitest';
import { isContinuationLine } from '../src/continuation.js';
import { stackFrameOf } from '../src/stack-frame.js';

describe('stackFrameOf', () => {
  it('gives the frame of Node, JVM, .NET, Python, Ruby and PHP stack lines, indented or not', () => {
    const frames = [
      '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16)',
      'at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)',
      '    at /srv/app/index.js:12:3',
      '    at async Promise.all (index 0)',
      '    at new Promise (<anonymous>)',
      '    at Object.<anonymous> (C:\\app\\index.js:3:9)',
      '\tat com.example.Store.write(Store.java:88)',
      'at java.base/java.io.FileOutputStream.writeBytes(Native Method)',
      '\tat com.example.Api.lambda$get$0(Api.kt:12) ~[app.jar:?]',
      '  File "/srv/worker.py", line 40, in <module>',
      'File "<frozen importlib._bootstrap>", line 1204, in _gcd_import',
      "app/controllers/products_controller.rb:5:in `show'",
      "/usr/local/bundle/gems/actionpack-7.1.2/lib/abstract_controller/base.rb:224:in 'AbstractController::Base#process_action'",
      "\tfrom /srv/app/bin/worker.rb:7:in `<main>'",
      "  app/views/orders/show.html.erb:12:in `block in _app_views_orders_show_html_erb'",
      '#0 /var/www/html/index.php(7): App\\Kernel->handle(Object(Request))',
      '#1 [internal function]: App\\Jobs\\SyncUser->handle()',
      '#2 {main}',
      '   at Shop.Api.OrdersController.Checkout(Int32 id) in /src/Shop.Api/OrdersController.cs:line 42',
      '   at Program.<Main>$(String[] args) in C:\\src\\Program.cs:line 5',
      '   at System.Collections.Generic.List`1.get_Item(Int32 index)',
      '   at Shop.Jobs.Sync.<RunAsync>d__4.MoveNext()',
    ];
    for (const line of frames) {
      expect(stackFrameOf(line), line).toBe(line.trim());
      expect(isContinuationLine(line.trimStart()), line).toBe(true);
    }
  });

  it('gives none for a message that merely starts with "at" or "File"', () => {
    const lines = [
      'at least 3 workers are needed',
      'at 10:00 the backup starts (nightly)',
      'attempt 3 of 5 (retrying)',
      'File "report.pdf" uploaded',
      'File not found: /srv/x.js:1:2',
      'GET /api/users/1 200 3ms',
      "config/app.rb:5: it's fine",
      "loaded lib/x.rb:5:in 'show'",
      "see app/models/user.rb:12 in 'docs'",
      '#1 order shipped to bob',
      '#42 (3): retried',
      'at least (3 of 5) workers',
      'at Main(): nothing',
    ];
    for (const line of lines) {
      expect(stackFrameOf(line), line).toBeUndefined();
      expect(isContinuationLine(line), line).toBe(false);
    }
  });
});
